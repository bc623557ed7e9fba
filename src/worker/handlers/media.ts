import type { Core, QueueData, StepOutcome, WorkJob } from '../../core/index.ts';
import type { LoggedJobHandler } from '../job-runner.ts';

// The media pipeline's handlers: each runs its step in the core. A refused file is marked failed by the
// step itself; an error (storage, database) is thrown for the queue to retry, and on the last attempt the
// attachment is marked failed first, so its owner sees a reason instead of "processing" forever.

type Step = (mediaId: string) => Promise<StepOutcome>;

const GAVE_UP = 'Processing failed repeatedly. Please upload the file again.';

function mediaStep<Q extends 'media-probe' | 'media-image' | 'media-video' | 'media-thumbnail'>(core: Core, step: Step): LoggedJobHandler<Q> {
  return async (job: WorkJob<QueueData[Q]>, log) => {
    const mediaId = job.data.mediaId;
    try {
      const outcome = await step(mediaId);
      log.info({ mediaId, outcome }, 'media step finished');
    } catch (error) {
      if (job.lastAttempt) await core.media.failMedia(mediaId, GAVE_UP);
      throw error;
    }
  };
}

/** media-probe: what the upload is, and its tasks. */
export function mediaProbeHandler(core: Core): LoggedJobHandler<'media-probe'> {
  return mediaStep<'media-probe'>(core, (id) => core.media.probeMedia(id));
}

/** media-image: the variants and blurhash of an image. */
export function mediaImageHandler(core: Core): LoggedJobHandler<'media-image'> {
  return mediaStep<'media-image'>(core, (id) => core.media.processImage(id));
}

/** media-video: the transcoded MP4 of a video or gifv, the MP3 of an audio file. */
export function mediaVideoHandler(core: Core): LoggedJobHandler<'media-video'> {
  return mediaStep<'media-video'>(core, (id) => core.media.transcodeMedia(id));
}

/** media-thumbnail: a video's poster frame, preview and blurhash. */
export function mediaThumbnailHandler(core: Core): LoggedJobHandler<'media-thumbnail'> {
  return mediaStep<'media-thumbnail'>(core, (id) => core.media.thumbnailMedia(id));
}
