import { QUEUE_NAMES, type QueueName } from '../core/index.ts';
import { parseCommandArgs, UsageError, type Command } from './command.ts';
import { withCore } from './open-core.ts';

function pad(value: string | number, width: number, right = false): string {
  const s = String(value);
  return right ? s.padStart(width) : s.padEnd(width);
}

export const jobs: Command = {
  name: 'jobs',
  usage: 'jobs [--failures N] [--retry-dead [QUEUE]]',
  summary: "show each queue's waiting, active, failed and dead-lettered jobs and the latest failures; retry dead letters",
  details: `Queues: ${QUEUE_NAMES.join(', ')}. --retry-dead sends dead-lettered jobs back to their queue (all queues, or the one named).`,
  async run(args) {
    const { values, positionals } = parseCommandArgs(
      'jobs',
      args,
      { options: { failures: { type: 'string' }, 'retry-dead': { type: 'boolean', default: false } } },
      ['queue?'],
    );
    const queue = positionals[0];
    if (queue !== undefined && !QUEUE_NAMES.includes(queue as QueueName)) throw new UsageError(`unknown queue ${JSON.stringify(queue)} (one of ${QUEUE_NAMES.join(', ')})`, 'jobs');
    if (queue !== undefined && !values['retry-dead']) throw new UsageError('a queue name goes with --retry-dead', 'jobs');
    const failures = values.failures === undefined ? 10 : Number(values.failures);
    if (!Number.isInteger(failures) || failures < 0 || failures > 200) throw new UsageError('--failures must be a whole number from 0 to 200', 'jobs');
    await withCore(async (core) => {
      if (values['retry-dead']) {
        const moved = await core.jobs.retryDeadLetters(queue as QueueName | undefined);
        console.log(`Sent ${moved} dead-lettered ${moved === 1 ? 'job' : 'jobs'} back to ${queue ?? 'their queues'}.`);
        console.log('');
      }
      const overview = await core.jobs.overview();
      console.log(`${pad('QUEUE', 18)}${pad('WAITING', 9, true)}${pad('ACTIVE', 8, true)}${pad('FAILED', 8, true)}${pad('DEAD', 7, true)}`);
      for (const q of overview) console.log(`${pad(q.queue, 18)}${pad(q.waiting, 9, true)}${pad(q.active, 8, true)}${pad(q.failed, 8, true)}${pad(q.deadLetter, 7, true)}`);
      if (failures > 0) {
        const recent = await core.jobs.recentFailures(failures);
        console.log('');
        if (recent.length === 0) console.log('No recent failures.');
        else console.log('Recent failures (newest first):');
        for (const f of recent) {
          console.log(`  ${f.at.toISOString()}  ${f.queue}  ${f.state}  attempt ${f.retryCount + 1}  reqId=${f.reqId ?? '-'}  job=${f.jobId}`);
          console.log(`    ${f.error}`);
        }
      }
    });
  },
};
