import assert from 'node:assert/strict';
import { it } from 'node:test';
import { QUEUES } from '../../src/core/jobs/queues.ts';
import { posterTimeoutMs } from '../../src/core/media/av-pipeline.ts';

// A media step's ffmpeg must be stopped by its own time limit before its queue's attempt ends: past the
// attempt, pg-boss fails the job and that worker takes no other job of the queue until the handler
// returns. The poster frame (media-thumbnail, 300 s attempts) once had the transcode's limit (up to
// 1,700 s), so one file that made the decoder spin held every video's poster for half an hour.

it('the poster frame is stopped within a media-thumbnail attempt, whatever MEDIA_TRANSCODE_TIMEOUT_SECONDS says', () => {
  const attemptMs = QUEUES['media-thumbnail'].expireInSeconds * 1000;
  for (const seconds of [5, 60, 240, 1200, 1700]) {
    const limit = posterTimeoutMs(seconds);
    // The probe before it takes up to a minute, and the upload's copy its share.
    assert.ok(limit + 60_000 < attemptMs, `MEDIA_TRANSCODE_TIMEOUT_SECONDS=${seconds}: a ${limit / 1000} s poster does not fit a ${attemptMs / 1000} s attempt`);
    assert.ok(limit <= seconds * 1000, 'never longer than the transcode limit itself');
  }
  assert.equal(posterTimeoutMs(5), 5000, 'a short transcode limit holds for the poster too');
});
