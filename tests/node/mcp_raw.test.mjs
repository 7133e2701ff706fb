// `sbx-host mcp` at the wire: newline-delimited JSON-RPC 2.0 over stdio,
// written and read by hand. Each test starts its own server, and each ends it
// by closing stdin: the server must then exit 0 having written nothing on
// stdout but protocol.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, test } from 'node:test';

import { Lines, SBX_HOST, exited, hostEnv, killChildren, leftoverContainers, runHost, track } from './support.mjs';

const LATEST = '2025-11-25';
const SUPPORTED = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'];

after(killChildren);

// One server process: send() writes a message (an object, or a raw string
// sent as is), next() reads the next message and checks that it is a JSON-RPC
// 2.0 message, initialize() does the handshake.
class Server {
  constructor() {
    this.child = track(spawn(SBX_HOST, ['mcp'], { env: hostEnv(), stdio: ['pipe', 'pipe', 'pipe'] }));
    this.child.stdin.on('error', () => {});
    this.stderr = '';
    this.child.stderr.setEncoding('utf8').on('data', (s) => (this.stderr += s));
    this.lines = new Lines(this.child.stdout);
  }

  send(message) {
    this.child.stdin.write((typeof message === 'string' ? message : JSON.stringify(message)) + '\n');
  }

  async next(ms = 30000) {
    const line = await this.lines.next(ms).catch((e) => {
      throw new Error(`${e.message}; server stderr:\n${this.stderr}`);
    });
    assert.notEqual(line, null, `stdout ended; server stderr:\n${this.stderr}`);
    return parseMessage(line);
  }

  async request(method, params, id = 1, ms = 30000) {
    this.send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
    const reply = await this.next(ms);
    assert.deepEqual(reply.id, id, `reply to ${method} carries another id: ${JSON.stringify(reply)}`);
    return reply;
  }

  async initialize(protocolVersion = LATEST) {
    const reply = await this.request(
      'initialize',
      { protocolVersion, capabilities: {}, clientInfo: { name: 'raw-test', version: '0' } },
      'init',
    );
    assert.ok(reply.result, `initialize failed: ${JSON.stringify(reply)}`);
    this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return reply.result;
  }

  // Closes stdin; the server must write nothing more, exit 0, and leave no
  // container.
  async finish() {
    this.child.stdin.end();
    const rest = await this.lines.rest();
    assert.deepEqual(rest, [], 'the server wrote lines nobody asked for');
    const { code, signal } = await exited(this.child, 30000);
    assert.equal(signal, null);
    assert.equal(code, 0, `exit status; stderr:\n${this.stderr}`);
    assert.deepEqual(await leftoverContainers(this.child.pid), [], 'containers of the server remain');
  }
}

// A line of stdout must be exactly one JSON-RPC 2.0 message.
function parseMessage(line) {
  let message;
  assert.doesNotThrow(() => (message = JSON.parse(line)), `stdout carries a line that is not JSON: ${line}`);
  assert.equal(typeof message, 'object', line);
  assert.equal(message.jsonrpc, '2.0', line);
  assert.ok('id' in message, `a reply without id: ${line}`);
  assert.ok(('result' in message) !== ('error' in message), `needs result xor error: ${line}`);
  if (message.error) {
    assert.equal(typeof message.error.code, 'number', line);
    assert.equal(typeof message.error.message, 'string', line);
  }
  return message;
}

test('initialize echoes each supported protocol version', { timeout: 120000 }, async () => {
  for (const version of SUPPORTED) {
    const server = new Server();
    const result = await server.initialize(version);
    assert.equal(result.protocolVersion, version);
    assert.ok(result.capabilities?.tools, JSON.stringify(result));
    assert.equal(typeof result.serverInfo?.name, 'string');
    await server.finish();
  }
});

test('initialize with an unknown version answers the latest', { timeout: 60000 }, async () => {
  const server = new Server();
  const result = await server.initialize('1999-01-01');
  assert.equal(result.protocolVersion, LATEST);
  await server.finish();
});

test('a line that is not JSON is a parse error with id null', { timeout: 60000 }, async () => {
  const server = new Server();
  await server.initialize();
  server.send('{"jsonrpc":"2.0","id":5,"method":"ping"'); // cut short
  const reply = await server.next();
  assert.equal(reply.id, null);
  assert.equal(reply.error?.code, -32700);
  // The server goes on.
  assert.deepEqual((await server.request('ping', undefined, 6)).result, {});
  await server.finish();
});

test('a message that is not a request is an invalid request', { timeout: 60000 }, async () => {
  const server = new Server();
  await server.initialize();
  server.send({ jsonrpc: '2.0', id: 7, method: 42 });
  const reply = await server.next();
  assert.equal(reply.error?.code, -32600, JSON.stringify(reply));
  assert.ok(reply.id === 7 || reply.id === null, `id ${JSON.stringify(reply.id)}: 7 or null`);
  await server.finish();
});

test('an unknown method is -32601', { timeout: 60000 }, async () => {
  const server = new Server();
  await server.initialize();
  const reply = await server.request('no/such/method', {}, 8);
  assert.equal(reply.error?.code, -32601, JSON.stringify(reply));
  await server.finish();
});

test('notifications get no reply, even unknown ones', { timeout: 60000 }, async () => {
  const server = new Server();
  await server.initialize(); // sends notifications/initialized
  server.send({ jsonrpc: '2.0', method: 'notifications/no-such-thing', params: { x: 1 } });
  server.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 999 } });
  // The next line must be the ping's reply, not one to a notification.
  const reply = await server.request('ping', undefined, 'after-notifications');
  assert.deepEqual(reply.result, {});
  await server.finish();
});

test('ids are echoed exactly: 0, strings, negative numbers', { timeout: 60000 }, async () => {
  const server = new Server();
  await server.initialize();
  for (const id of [0, 'abc-1', '', 'ïd ✓', -1, 2 ** 53 - 1]) {
    const reply = await server.request('ping', undefined, id);
    assert.ok(Object.is(reply.id, id), `sent id ${JSON.stringify(id)}, got ${JSON.stringify(reply.id)}`);
    assert.deepEqual(reply.result, {});
  }
  // Errors echo the id too.
  const error = await server.request('no/such/method', undefined, 0);
  assert.equal(error.error?.code, -32601);
  await server.finish();
});

test('tools/list matches `sbx-host tools --dialect mcp`', { timeout: 60000 }, async () => {
  const server = new Server();
  await server.initialize();
  const reply = await server.request('tools/list', {}, 2);
  const cli = await runHost(['tools', '--dialect', 'mcp']);
  assert.equal(cli.code, 0, cli.stderr);
  assert.deepEqual(reply.result.tools, JSON.parse(cli.stdout).tools);
  await server.finish();
});

test('tools/call errors: unknown tool, unknown language, missing code', { timeout: 120000 }, async () => {
  const server = new Server();
  await server.initialize();

  const unknownTool = await server.request('tools/call', { name: 'no_such_tool', arguments: {} }, 10);
  assert.equal(unknownTool.error?.code, -32602, JSON.stringify(unknownTool));

  const unknownLanguage = await server.request(
    'tools/call',
    { name: 'execute_code', arguments: { language: 'cobol-2099', code: 'x' } },
    11,
  );
  assert.equal(unknownLanguage.result?.isError, true, JSON.stringify(unknownLanguage));
  assert.match(unknownLanguage.result.content[0].text, /language/);

  const notAnObject = await server.request('tools/call', { name: 'execute_code', arguments: 'print(1)' }, 13);
  assert.equal(notAnObject.error?.code, -32602, JSON.stringify(notAnObject));

  const noCode = await server.request('tools/call', { name: 'execute_code', arguments: { language: 'python' } }, 12);
  if (noCode.error) assert.equal(noCode.error.code, -32602, JSON.stringify(noCode));
  else {
    assert.equal(noCode.result.isError, true, JSON.stringify(noCode));
    assert.match(noCode.result.content[0].text, /\bcode\b/);
  }
  await server.finish();
});

// The plugin logs while it runs code: none of that may reach stdout.
test('stdout carries only protocol while code runs', { timeout: 180000 }, async () => {
  const server = new Server();
  await server.initialize();
  const reply = await server.request(
    'tools/call',
    {
      name: 'execute_code',
      arguments: { language: 'python', code: 'import sys\nprint("out")\nprint("err", file=sys.stderr)' },
    },
    'run',
    150000,
  );
  assert.equal(reply.result?.isError, false, JSON.stringify(reply));
  assert.equal(reply.result.structuredContent.status, 'success');
  assert.equal(reply.result.structuredContent.stdout, 'out\n');
  assert.equal(reply.result.structuredContent.stderr, 'err\n');
  assert.match(reply.result.content[0].text, /^status: success/);
  await server.finish(); // checks that nothing else came out
});

// notifications/cancelled: the cancelled call is never answered (its run is
// stopped through a cancel token), and the server keeps answering.
test('a cancelled call gets no reply; the server goes on', { timeout: 120000 }, async () => {
  const server = new Server();
  await server.initialize();
  server.send({
    jsonrpc: '2.0',
    id: 'long',
    method: 'tools/call',
    params: { name: 'execute_code', arguments: { language: 'python', code: 'import time\ntime.sleep(3)' } },
  });
  server.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'long', reason: 'test' } });
  assert.deepEqual((await server.request('ping', undefined, 'meanwhile')).result, {});
  // finish() waits for the run to end and fails on any line, the cancelled
  // call's reply included.
  await server.finish();
});
