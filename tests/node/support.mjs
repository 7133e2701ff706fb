// Helpers shared by the Node tests: where sbx-host and libsbx.so are, child
// processes that never outlive their test file, reading a child's output
// line by line with a deadline, and the engine's list of sbx's containers.
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

// ctest sets both; by hand (`cd tests/node && npm test`) they default to the
// build/ folder of this checkout.
export const SBX_HOST = process.env.SBX_HOST || path.resolve(here, '../../build/bin/sbx-host');
export const SBX_PLUGIN = process.env.SBX_PLUGIN || path.resolve(here, '../../build/lib/libsbx.so');
// The checkout's root (ctest runs copies of these files from the build tree).
export const SOURCE_DIR = process.env.SBX_SOURCE_DIR || path.resolve(here, '../..');

// The environment of every sbx-host we start: ours, with the plugin pinned.
export function hostEnv() {
  return { ...process.env, SBX_PLUGIN };
}

// Every child we start, so that a failing or timed-out test cannot leave one
// running: each test file calls killChildren() in an after() hook.
const children = new Set();

export function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function killChildren() {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}
process.once('exit', killChildren);

// Resolves with {code, signal} once `child` has exited (at once if it already
// has); rejects after `ms`.
export function exited(child, ms = 15000) {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return withDeadline(
    new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    ms,
    `process ${child.pid} did not exit within ${ms} ms`,
  );
}

export function withDeadline(promise, ms, message) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

// Runs `sbx-host ARGS...` to the end with `input` on stdin. Resolves with
// {code, signal, stdout, stderr}; kills it and rejects after `ms`.
export function runHost(args, { input = '', ms = 120000 } = {}) {
  const child = track(spawn(SBX_HOST, args, { env: hostEnv(), stdio: ['pipe', 'pipe', 'pipe'] }));
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s) => (stderr += s));
  child.stdin.on('error', () => {}); // EPIPE when it exits early: the exit status tells
  child.stdin.end(input);
  const done = new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ pid: child.pid, code, signal, stdout, stderr }));
  });
  return withDeadline(done, ms, `sbx-host ${args.join(' ')} did not finish within ${ms} ms`).catch(
    (e) => {
      child.kill('SIGKILL');
      throw new Error(`${e.message}\nstdout so far:\n${stdout}\nstderr so far:\n${stderr}`);
    },
  );
}

// Reads a stream line by line: `await lines.next(ms)` is the next line
// (without its "\n"), or null at the end of the stream.
export class Lines {
  constructor(stream) {
    this.buffer = '';
    this.ready = [];
    this.waiting = [];
    this.ended = false;
    stream.setEncoding('utf8');
    stream.on('data', (s) => {
      this.buffer += s;
      let at;
      while ((at = this.buffer.indexOf('\n')) >= 0) {
        this.push(this.buffer.slice(0, at));
        this.buffer = this.buffer.slice(at + 1);
      }
    });
    stream.on('end', () => {
      if (this.buffer !== '') this.push(this.buffer); // a last line without "\n"
      this.buffer = '';
      this.ended = true;
      for (const w of this.waiting.splice(0)) w(null);
    });
  }

  push(line) {
    const w = this.waiting.shift();
    if (w) w(line);
    else this.ready.push(line);
  }

  next(ms = 30000) {
    if (this.ready.length) return Promise.resolve(this.ready.shift());
    if (this.ended) return Promise.resolve(null);
    let waiter;
    const line = new Promise((resolve) => {
      waiter = resolve;
      this.waiting.push(resolve);
    });
    return withDeadline(line, ms, `no line within ${ms} ms`).catch((e) => {
      this.waiting = this.waiting.filter((w) => w !== waiter);
      throw e;
    });
  }

  // Every remaining line, once the stream has ended.
  async rest(ms = 30000) {
    const lines = [];
    for (let line; (line = await this.next(ms)) !== null; ) lines.push(line);
    return lines;
  }
}

// The engine's API over its unix socket (DOCKER_HOST=unix://... or the
// default socket). This never leaves the machine.
function engineSocket() {
  const host = process.env.DOCKER_HOST;
  if (host && host.startsWith('unix://')) return host.slice('unix://'.length);
  return '/var/run/docker.sock';
}

export function engineGet(pathAndQuery, ms = 10000) {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { socketPath: engineSocket(), path: pathAndQuery, host: 'localhost', timeout: ms },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (s) => (body += s));
        res.on('end', () => {
          if (res.statusCode !== 200)
            reject(new Error(`GET ${pathAndQuery}: HTTP ${res.statusCode}: ${body}`));
          else resolve(JSON.parse(body));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${pathAndQuery}: no answer in ${ms} ms`)));
    req.on('error', reject);
  });
}

// sbx's containers (label org.sbx.managed) whose owner label
// ("hostname:pid:starttime") names process `pid`. Other tests may run at the
// same time and own containers of their own; those do not count.
export async function containersOwnedBy(pid) {
  const filters = encodeURIComponent(JSON.stringify({ label: ['org.sbx.managed'] }));
  const list = await engineGet(`/v1.41/containers/json?all=1&filters=${filters}`);
  return list.filter((c) => {
    const parts = String(c.Labels?.['org.sbx.owner'] ?? '').split(':');
    return parts.length >= 3 && parts[parts.length - 2] === String(pid);
  });
}

// After process `pid` has exited: the containers it left, as "id state
// (status)" lines. A container the engine is still removing (auto-remove
// in flight when the process exited) gets up to `ms` to go; waiting here
// also keeps it from the leftover check that ctest runs after these tests.
export async function leftoverContainers(pid, ms = 15000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = await containersOwnedBy(pid);
    if (left.length === 0 || Date.now() > deadline)
      return left.map((c) => `${c.Id.slice(0, 12)} ${c.State} (${c.Status})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
