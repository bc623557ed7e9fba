import assert from 'node:assert/strict';
import { it } from 'node:test';
import { batched } from '../../src/worker/batched.ts';
import { settle, waitFor } from '../helpers/wait.ts';

it('sends the calls made together to the batch function once, and answers each in order', async () => {
  const batches: number[][] = [];
  const double = batched(async (keys: readonly number[]) => {
    batches.push([...keys]);
    return keys.map((k) => k * 2);
  });
  assert.deepEqual(await Promise.all([double(1), double(2), double(3)]), [2, 4, 6]);
  assert.deepEqual(batches, [[1, 2, 3]]);
  assert.equal(await double(4), 8);
  assert.deepEqual(batches, [[1, 2, 3], [4]], 'a later call is a batch of its own');
});

it('keeps repeated keys apart: every call reaches the batch function (these are writes)', async () => {
  const seen: string[][] = [];
  const write = batched(async (keys: readonly string[]) => {
    seen.push([...keys]);
    return keys.map((k, i) => `${k}#${i}`);
  });
  assert.deepEqual(await Promise.all([write('a'), write('a')]), ['a#0', 'a#1']);
  assert.deepEqual(seen, [['a', 'a']]);
});

it('retries each key alone when a batch fails, so one bad key fails only its own call', async () => {
  const calls: number[][] = [];
  const check = batched(async (keys: readonly number[]) => {
    calls.push([...keys]);
    if (keys.includes(13)) throw new Error('13 is not allowed');
    return keys.map((k) => k + 1);
  });
  const results = await Promise.allSettled([check(1), check(13), check(2)]);
  assert.deepEqual(
    results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
    [2, '13 is not allowed', 3],
  );
  assert.deepEqual(calls, [[1, 13, 2], [1], [13], [2]]);
});

it('with group commit, calls made while a batch is in flight wait and go together in the next one', async () => {
  const batches: number[][] = [];
  let release!: () => void;
  const firstBatchHeld = new Promise<void>((resolve) => (release = resolve));
  const record = batched(
    async (keys: readonly number[]) => {
      batches.push([...keys]);
      if (batches.length === 1) await firstBatchHeld;
      return keys.map(() => true);
    },
    { groupCommit: true },
  );
  const first = record(1);
  await waitFor(() => batches.length === 1, { what: 'the first batch in flight' });
  // settle() lets every dispatch already scheduled run (DataLoader's tick, the group commit's
  // setImmediate), so a batch that would go out early has gone out by the assertion below.
  const second = record(2);
  await settle();
  const third = [record(3), record(4)];
  await settle();
  assert.deepEqual(batches, [[1]], 'nothing else goes out while the first is in flight');
  release();
  await Promise.all([first, second, ...third]);
  assert.deepEqual(batches, [[1], [2, 3, 4]]);
});
