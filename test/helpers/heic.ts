import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

// HEIC photos for tests, made when the test runs: a sharp-made picture encoded by libheif's heif-enc
// (no binary fixture). Suites that need them skip themselves, saying why, where the tools are missing.

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Why HEIC tests cannot run here, or undefined when they can. */
export const heicToolsMissing: string | undefined =
  onPath('heif-enc') && onPath('heif-convert') ? undefined : 'heif-enc or heif-convert is missing (apt-get install libheif-examples)';

/** `image` (a JPEG or PNG, with whatever metadata it carries: heif-enc keeps its EXIF) as an HEVC-coded HEIC. */
export async function toHeic(image: Buffer, extension: 'jpg' | 'png' = 'jpg'): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'pipit-test-heic-'));
  try {
    await writeFile(join(dir, `in.${extension}`), image);
    await promisify(execFile)('heif-enc', ['-q', '60', join(dir, `in.${extension}`), '-o', join(dir, 'out.heic')]);
    return await readFile(join(dir, 'out.heic'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
