import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { it } from 'node:test';

// The alert rules that ship in ops/prometheus: valid for Prometheus, and each one fires on the series
// that should raise it (promtool's rule unit tests, alerts.test.yml).

const PROMTOOL = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p));
const skip = PROMTOOL ? false : 'promtool is missing (apt-get install prometheus)';

function promtool(...args: string[]) {
  const run = spawnSync(PROMTOOL!, args, { cwd: new URL('../../ops/prometheus/', import.meta.url), encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

it('are valid Prometheus rules', { skip }, () => {
  const { status, output } = promtool('check', 'rules', 'alerts.yml');
  assert.equal(status, 0, output);
  assert.match(output, /SUCCESS: 7 rules found/);
});

it('fire when they should and not before (promtool test rules)', { skip }, () => {
  const { status, output } = promtool('test', 'rules', 'alerts.test.yml');
  assert.equal(status, 0, output);
  assert.match(output, /SUCCESS/);
});
