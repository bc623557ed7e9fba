import { crc32 } from 'node:zlib';
import sharp from 'sharp';

// Test images made by sharp when a test runs: no binary fixtures in the repository, and each one shows
// in code what it is (its size, its EXIF, how it is broken).

/** A photo-like JPEG (noise, so it does not compress to nothing) of `width` × `height`. */
export async function noiseImage(width: number, height: number, format: 'jpeg' | 'png' | 'webp' | 'gif' = 'jpeg'): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7919 + (i >> 5) * 104_729) % 251;
  return sharp(pixels, { raw: { width, height, channels: 3 } }).toFormat(format).toBuffer();
}

/**
 * A JPEG carrying what a phone writes: a camera name, a GPS position, and an EXIF orientation (6: the
 * stored pixels must be turned 90° clockwise to be upright).
 */
export async function phoneJpeg(width: number, height: number, orientation = 6): Promise<Buffer> {
  const plain = await noiseImage(width, height, 'jpeg');
  return sharp(plain)
    .withExif({
      IFD0: { Make: 'PipitTestCam', Model: 'Secret Serial 12345' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 2640/100', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 3960/100' },
    })
    .withMetadata({ orientation })
    .jpeg()
    .toBuffer();
}

/** A valid PNG whose header claims `width` × `height` (a "pixel bomb": tiny file, huge when decoded). */
export async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).png().toBuffer());
  // IHDR is the first chunk: length (4) "IHDR" (4) width (4) height (4) … CRC over type and data.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  const ihdrLength = png.readUInt32BE(8);
  png.writeUInt32BE(crc32(png.subarray(12, 16 + ihdrLength)) >>> 0, 16 + ihdrLength);
  return png;
}

/** The first `fraction` of a PNG: its header intact, its pixels cut off. */
export async function truncatedPng(): Promise<Buffer> {
  const png = await noiseImage(300, 300, 'png');
  return png.subarray(0, Math.floor(png.length / 2));
}
