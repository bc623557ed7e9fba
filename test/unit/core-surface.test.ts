import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as coreSurface from '../../src/core/index.ts';
import type { Core, QueueData, WorkJob } from '../../src/core/index.ts';
import type { CoreContext } from '../../src/core/context.ts';
import * as dailyStats from '../../src/core/stats/daily-stats.ts';
import { bindAll, mergeUseCases } from '../../src/core/use-cases.ts';
import pino from 'pino';
import { jobRunner } from '../../src/worker/job-runner.ts';
import { notifyMentionsHandler } from '../../src/worker/handlers/notify-mentions.ts';
import { sendEmailHandler } from '../../src/worker/handlers/send-email.ts';
import type { Mailer } from '../../src/worker/mailer.ts';

// What the core shows the rest of Pipit. Some guarantees are the type-checker's: each line below that
// carries an expect-error directive must stay an error, or `npm run typecheck` fails (unused directive).

const ctx = { marker: 'the context' } as unknown as CoreContext;

describe('binding use cases', () => {
  it('binds the context as the first argument of each use case, and leaves constants out', () => {
    const module = {
      echo: (c: CoreContext, a: string) => [c, a] as const,
      LIMIT: 3,
    };
    const bound = bindAll(ctx, module);
    assert.deepEqual(bound.echo('x'), [ctx, 'x']);
    assert.equal('LIMIT' in bound, false);
  });

  it('refuses, by type, a module with a function that does not take the context first', () => {
    const withHelper = { use: (c: CoreContext) => c, parseDay: (value: string) => value };
    // @ts-expect-error parseDay is a pure helper: bound, it would receive the context as its `value`
    bindAll(ctx, withHelper);
    // The statistics module keeps its pure helpers elsewhere (stats/days.ts), so binding it is fine.
    const stats = bindAll(ctx, dailyStats);
    assert.equal('parseDay' in stats, false);
    assert.equal('previousDay' in stats, false);
    assert.equal(typeof stats.computeDailyStats, 'function');
  });

  it('merges groups of use cases, refusing a name defined twice (type error, and an error at start)', () => {
    const merged = mergeUseCases('posts', { createPost: () => 1 }, { homeTimeline: () => 2 });
    assert.deepEqual(Object.keys(merged).sort(), ['createPost', 'homeTimeline']);
    assert.throws(
      // @ts-expect-error getPost is in both groups: the second would silently replace the first
      () => mergeUseCases('posts', { getPost: () => 1 }, { getPost: () => 2 }),
      /core\.posts\.getPost is defined twice/,
    );
  });
});

describe('the public surface', () => {
  it('no longer carries test helpers or unbound pure helpers as use cases', () => {
    assert.equal('createScratchDatabase' in coreSurface, false);
    assert.equal('SEED_PASSWORD' in coreSurface, false);
    // Pure helpers are plain exports, not members of a bound area.
    assert.equal(typeof coreSurface.parseDay, 'function');
    assert.equal(coreSurface.previousDay(new Date('2026-03-01T10:00:00Z')), '2026-02-28');
  });
});

describe('job handlers and their queues', () => {
  it('type-checks a handler only on its own queue', () => {
    // Never called: the point is what compiles.
    const wire = async (core: Core) => {
      const sendEmail = async (job: WorkJob<QueueData['send-email']>) => void job.data.deliveryIds;
      const notifyMentions = async (job: WorkJob<QueueData['notify-mentions']>) => void job.data.postId;
      await core.jobs.work('send-email', sendEmail);
      await core.jobs.work('notify-mentions', notifyMentions);
      // @ts-expect-error a send-email handler on the notify-mentions queue
      await core.jobs.work('notify-mentions', sendEmail);
      // @ts-expect-error a notify-mentions handler on the daily-stats queue
      await core.jobs.work('daily-stats', notifyMentions);
      // The worker's own wiring (with its logger) is as strict.
      const run = jobRunner(core, pino({ enabled: false }));
      await run('notify-mentions', notifyMentionsHandler(core));
      await run('send-email', sendEmailHandler(core, { mailer: {} as Mailer, leaseSeconds: 60 }));
      // @ts-expect-error the mention handler on the email queue
      await run('send-email', notifyMentionsHandler(core));
      // @ts-expect-error the email handler on the mention queue
      await run('notify-mentions', sendEmailHandler(core, { mailer: {} as Mailer, leaseSeconds: 60 }));
    };
    assert.equal(typeof wire, 'function');
  });
});
