import type { Readable } from 'node:stream';
import type { CoreContext } from '../context.ts';
import { withTransaction } from '../db/transaction.ts';
import { Invalid, NotFound, TooLarge } from '../domain/errors.ts';
import { isId } from '../domain/ids.ts';
import { ImageRefused, probeImage } from '../media/image.ts';
import { HEIC_UNAVAILABLE, heicToJpeg, isHevcHeif } from '../media/heic.ts';
import { newMediaPrefix, profileImageKey, type ProfileImageVariant } from '../media/keys.ts';
import { loadSharp } from '../media/sharp.ts';
import { sniff } from '../media/sniff.ts';
import { ACCOUNT_COLUMNS, toAccount, type Account } from './account-view.ts';

// An account's avatar and header, made from one uploaded picture each: cover-cropped to fixed sizes,
// re-encoded as WebP from the pixels (so no metadata of the upload survives), under fresh generated keys.
//
// Done in the request, not on the job queue: each is a single image bounded by the same byte and pixel
// limits as media uploads (libvips refuses a pixel bomb from its header before decoding), its outputs are
// small, and the client's answer must carry the new URLs (update_credentials returns the Account; the
// settings form shows the result at once), which a queued job would make a poll for no gain.
// The files are written first, the row then names them, and only after that commits are the old files
// removed: a reader sees the old pictures or the new, never a missing one.

export const AVATAR_SIZE = 400;
export const AVATAR_SMALL_SIZE = 96;
export const HEADER_WIDTH = 1500;
export const HEADER_HEIGHT = 500;

export interface ProfileImageChanges {
  /** A new avatar's bytes (read bounded by the image size limit). */
  avatar?: Readable | Buffer | undefined;
  header?: Readable | Buffer | undefined;
  /** Back to the default picture (ignored when a new one is sent too). */
  removeAvatar?: boolean | undefined;
  removeHeader?: boolean | undefined;
}

type Field = 'avatar' | 'header';

const FIELD_NAMES: Record<Field, string> = { avatar: 'The avatar', header: 'The header image' };

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.floor(bytes / (1024 * 1024))} MB` : `${Math.floor(bytes / 1024)} KB`;
}

/** The whole file, refused as soon as it passes `limit` (nothing more of it is kept). */
async function readBounded(source: Readable | Buffer, limit: number, field: Field): Promise<Buffer> {
  if (Buffer.isBuffer(source)) {
    if (source.length > limit) throw new TooLarge(`${FIELD_NAMES[field]} may have at most ${sizeText(limit)}; this file is larger.`);
    return source;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      source.resume();
      throw new TooLarge(`${FIELD_NAMES[field]} may have at most ${sizeText(limit)}; this file is larger.`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

interface Rendered {
  variant: ProfileImageVariant;
  data: Buffer;
}

/** The variants of one picture, or Invalid (naming the field) when it is not an image Pipit takes. */
async function render(ctx: CoreContext, data: Buffer, field: Field): Promise<Rendered[]> {
  const sniffed = sniff(data.subarray(0, 64));
  if (!sniffed.ok) throw new Invalid(`${FIELD_NAMES[field]}: ${sniffed.reason}`, field);
  const maxPixels = ctx.config.mediaMaxImagePixels;
  const sharp = await loadSharp();
  try {
    // A HEIC photo (an iPhone's) is converted to JPEG as attachments are (its size checked from its header
    // first); libheif has already turned it upright, so its EXIF orientation is not applied again.
    const heic = isHevcHeif(data);
    await probeImage(data, maxPixels, { heic: ctx.config.mediaHeifConvert !== undefined ? { accepted: true } : { accepted: false, refusal: HEIC_UNAVAILABLE } });
    const picture = heic ? await heicToJpeg(data, ctx.config.mediaHeifConvert, ctx.config.mediaToolMemoryMb) : data;
    // One frame of an animation; oriented as the camera meant, and cropped to fill (centred).
    const input = () => {
      const image = sharp(picture, { limitInputPixels: maxPixels, failOn: 'error', animated: false });
      return heic ? image : image.autoOrient();
    };
    const cover = (width: number, height: number) => input().resize({ width, height, fit: 'cover' }).webp({ quality: 85 }).toBuffer();
    if (field === 'header') return [{ variant: 'header', data: await cover(HEADER_WIDTH, HEADER_HEIGHT) }];
    const [large, small] = await Promise.all([cover(AVATAR_SIZE, AVATAR_SIZE), cover(AVATAR_SMALL_SIZE, AVATAR_SMALL_SIZE)]);
    return [
      { variant: 'avatar', data: large },
      { variant: 'avatar-small', data: small },
    ];
  } catch (error) {
    if (error instanceof ImageRefused) throw new Invalid(`${FIELD_NAMES[field]}: ${error.message}`, field);
    const message = error instanceof Error ? error.message : String(error);
    if (/pixel limit/i.test(message)) throw new Invalid(`${FIELD_NAMES[field]} has more pixels than Pipit accepts. Make it smaller and upload it again.`, field);
    throw new Invalid(`${FIELD_NAMES[field]} could not be decoded: the file is truncated or corrupt.`, field);
  }
}

type Columns = { avatar_key?: string | null; avatar_small_key?: string | null; header_key?: string | null };

/**
 * Sets or removes an account's avatar and header. Both pictures are checked and made before anything is
 * stored, so a refused one changes nothing; the old files are removed once the new keys are committed.
 */
export async function updateProfileImages(ctx: CoreContext, accountId: string, changes: ProfileImageChanges): Promise<Account> {
  if (!isId(accountId)) throw new NotFound('No such account.');
  const limit = ctx.config.mediaMaxImageBytes;
  const made: Partial<Record<Field, Rendered[]>> = {};
  for (const field of ['avatar', 'header'] as const) {
    const source = changes[field];
    if (source !== undefined) made[field] = await render(ctx, await readBounded(source, limit, field), field);
  }
  const set: Columns = {};
  const written: string[] = [];
  try {
    for (const field of ['avatar', 'header'] as const) {
      const variants = made[field];
      if (!variants) continue;
      const prefix = newMediaPrefix();
      for (const { variant, data } of variants) {
        const key = profileImageKey(prefix, variant);
        written.push(key);
        await ctx.storage.put(key, data, 'image/webp');
        if (variant === 'avatar') set.avatar_key = key;
        else if (variant === 'avatar-small') set.avatar_small_key = key;
        else set.header_key = key;
      }
    }
    if (!made.avatar && changes.removeAvatar) Object.assign(set, { avatar_key: null, avatar_small_key: null });
    if (!made.header && changes.removeHeader) set.header_key = null;
    const { account, replaced } = await withTransaction(ctx, async (tx) => {
      const before = await tx.db.selectFrom('accounts').select(['avatar_key', 'avatar_small_key', 'header_key']).where('id', '=', accountId).forUpdate().executeTakeFirst();
      if (!before) throw new NotFound('No such account.');
      const row =
        Object.keys(set).length === 0
          ? await tx.db.selectFrom('accounts').select(ACCOUNT_COLUMNS).where('id', '=', accountId).executeTakeFirstOrThrow()
          : await tx.db.updateTable('accounts').set({ ...set, updated_at: new Date() }).where('id', '=', accountId).returning(ACCOUNT_COLUMNS).executeTakeFirstOrThrow();
      const old = (Object.keys(set) as (keyof Columns)[]).map((column) => before[column]).filter((key): key is string => key !== null);
      return { account: toAccount(row), replaced: old };
    });
    // After the commit: no row names these any more; a failure here only leaves an orphan file.
    const orphans = [...replaced];
    written.length = 0;
    for (const key of orphans) await ctx.storage.delete(key).catch(() => undefined);
    return account;
  } catch (error) {
    for (const key of written) await ctx.storage.delete(key).catch(() => undefined);
    throw error;
  }
}
