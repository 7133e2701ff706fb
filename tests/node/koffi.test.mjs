// The Node example host (host_example/node/run.mjs): loads libsbx.so with
// koffi, runs code and prints the result document. Run as a user runs it,
// with koffi from this suite's node_modules (through NODE_PATH).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, test } from 'node:test';

import { SBX_PLUGIN, SOURCE_DIR, killChildren, leftoverContainers, track, withDeadline } from './support.mjs';

after(killChildren);

const example = path.join(SOURCE_DIR, 'host_example/node/run.mjs');
// .../node_modules/koffi/index.js -> .../node_modules
const nodeModules = path.resolve(path.dirname(createRequire(import.meta.url).resolve('koffi')), '..');

// Runs the example; resolves with {pid, code, signal, stdout, stderr} once it
// has exited and none of its containers remains.
async function runExample(args, env = {}, ms = 120000) {
  const child = track(
    spawn(process.execPath, [example, ...args], {
      env: { ...process.env, SBX_PLUGIN, NODE_PATH: nodeModules, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s) => (stderr += s));
  const done = new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ pid: child.pid, code, signal, stdout, stderr }));
  });
  const run = await withDeadline(done, ms, `run.mjs ${args.join(' ')}: no exit within ${ms} ms`);
  assert.equal(run.signal, null, run.stderr);
  assert.deepEqual(await leftoverContainers(run.pid), [], 'containers of run.mjs remain');
  return run;
}

// The example's stdout: exactly one line, the result document.
function resultOf(run) {
  const lines = run.stdout.split('\n');
  assert.equal(lines.length, 2, `one line expected on stdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  assert.equal(lines[1], '');
  const result = JSON.parse(lines[0]);
  assert.equal(result.schema, 'sbx.execute.result/1');
  return result;
}

test('runs Python and prints the result', { timeout: 150000 }, async () => {
  const run = await runExample(['print(6*7)']);
  assert.equal(run.code, 0, run.stderr);
  const result = resultOf(run);
  assert.equal(result.status, 'success');
  assert.equal(result.language, 'python');
  assert.equal(result.stdout, '42\n');
  assert.equal(result.exit_code, 0);
});

test('runs the default program', { timeout: 150000 }, async () => {
  const run = await runExample([]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(resultOf(run).stdout, 'Hello from Node\n');
});

test('a failing program: status execution_error, exit status 1', { timeout: 150000 }, async () => {
  const run = await runExample(['import sys\nprint("bye")\nsys.exit(3)', 'python']);
  assert.equal(run.code, 1, run.stderr);
  const result = resultOf(run);
  assert.equal(result.status, 'execution_error');
  assert.equal(result.exit_code, 3);
  assert.equal(result.stdout, 'bye\n');
});

test('an unknown language: the API error on stderr, exit status 2', { timeout: 150000 }, async () => {
  const run = await runExample(['x', 'cobol-2099']);
  assert.equal(run.code, 2);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /SBX_E_UNKNOWN_LANGUAGE/);
  assert.match(run.stderr, /cobol-2099/);
});

test('a missing plugin: a clear message, exit status 2', { timeout: 60000 }, async () => {
  const run = await runExample(['print(1)'], { SBX_PLUGIN: '/nonexistent/libsbx.so' });
  assert.equal(run.code, 2);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /\/nonexistent\/libsbx\.so/);
  assert.match(run.stderr, /SBX_PLUGIN/);
});
