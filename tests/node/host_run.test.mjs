// `sbx-host run`: the result document on stdout; with --stream on, the
// program's output on stderr while it runs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, test } from 'node:test';

import { SBX_HOST, hostEnv, killChildren, runHost, track } from './support.mjs';

after(() => killChildren());

test('run prints the result document and nothing else on stdout', { timeout: 120000 }, async () => {
  const run = await runHost(['run', '--stream', 'off', '--language', 'python', '-c', 'print(6*7)']);
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.equal(result.status, 'success');
  assert.equal(result.stdout, '42\n');
  assert.doesNotMatch(run.stderr, /42/);
});

test('run --stream on copies the output to stderr as it arrives', { timeout: 120000 }, async () => {
  const child = track(
    spawn(
      SBX_HOST,
      ['run', '--stream', 'on', '--language', 'python', '-c',
        "import time\nprint('first', flush=True)\ntime.sleep(2)\nprint('second')"],
      { env: hostEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  const started = Date.now();
  let stdout = '';
  let stderr = '';
  let firstAt = null;
  child.stdout.setEncoding('utf8').on('data', (s) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s) => {
    stderr += s;
    if (firstAt === null && stderr.includes('first\n')) firstAt = Date.now() - started;
  });
  const code = await new Promise((resolve) => child.once('close', resolve));
  const ended = Date.now() - started;
  assert.equal(code, 0, stderr);
  assert.equal(JSON.parse(stdout).stdout, 'first\nsecond\n');
  assert.ok(firstAt !== null && firstAt < ended - 1500, `"first" at ${firstAt} ms of ${ended} ms`);
  assert.match(stderr, /first\nsecond\n/);
});
