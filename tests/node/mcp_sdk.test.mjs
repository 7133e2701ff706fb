// `sbx-host mcp` driven by the official MCP TypeScript SDK, as an MCP client
// application would: list the tools, run Python, send bad calls, ping, close;
// then the server must have exited 0 and left no container of its own.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';

import fs from 'node:fs';
import path from 'node:path';

import { SBX_HOST, SOURCE_DIR, containersOwnedBy, hostEnv, killChildren, leftoverContainers, track } from './support.mjs';

const CALL_MS = 120000; // one call, a container start included, on a busy machine

let client;
let transport;
let server; // the ChildProcess of sbx-host
let serverExit;

before(async () => {
  transport = new StdioClientTransport({
    command: SBX_HOST,
    args: ['mcp'],
    env: hostEnv(), // the SDK passes only a few variables by default
    stderr: 'inherit', // the server's logs go to the test's stderr
  });
  client = new Client({ name: 'sbx-node-tests', version: '1.0.0' });
  await client.connect(transport, { timeout: 30000 });
  // The SDK keeps the child private; we need it to read the exit status,
  // which its close() discards.
  server = track(transport._process);
  assert.ok(server, 'the transport started no process');
  serverExit = new Promise((resolve) => server.once('exit', (code, signal) => resolve({ code, signal })));
}, { timeout: 60000 });

after(async () => {
  await client?.close().catch(() => {});
  killChildren();
});

test('initialize negotiated a version and advertised tools', () => {
  const caps = client.getServerCapabilities();
  assert.ok(caps?.tools, `server capabilities lack "tools": ${JSON.stringify(caps)}`);
  const info = client.getServerVersion();
  assert.equal(typeof info?.name, 'string');
  assert.equal(typeof info?.version, 'string');
});

test('listTools offers execute_code, list_languages and the session tools with schemas', { timeout: 30000 }, async () => {
  const { tools } = await client.listTools();
  const byName = new Map(tools.map((t) => [t.name, t]));
  for (const name of ['execute_code', 'list_languages', 'create_session', 'close_session', 'write_file', 'read_file', 'list_files']) {
    const tool = byName.get(name);
    assert.ok(tool, `tool ${name} missing from ${JSON.stringify([...byName.keys()])}`);
    assert.equal(typeof tool.description, 'string');
    assert.ok(tool.description.length > 0);
    assert.equal(tool.inputSchema.type, 'object');
    assert.equal(typeof tool.inputSchema.properties, 'object');
  }
  const exec = byName.get('execute_code');
  assert.deepEqual([...exec.inputSchema.required].sort(), ['code', 'language']);
  assert.ok(exec.inputSchema.properties.language.enum.includes('python'));
  assert.equal(exec.outputSchema?.type, 'object', 'execute_code declares an outputSchema');
});

// From here on the client holds execute_code's outputSchema (listTools
// cached it) and checks every structuredContent against it, as real
// clients do.

test('execute_code runs Python', { timeout: CALL_MS }, async () => {
  const result = await client.callTool(
    { name: 'execute_code', arguments: { language: 'python', code: 'print(6*7)' } },
    undefined,
    { timeout: CALL_MS },
  );
  assert.equal(result.isError, false, JSON.stringify(result));
  assert.equal(result.structuredContent?.status, 'success', JSON.stringify(result));
  assert.equal(result.structuredContent.stdout, '42\n');
  assert.equal(result.structuredContent.exit_code, 0);
  const text = result.content.find((c) => c.type === 'text')?.text;
  assert.match(text ?? '', /^status: success/);
  assert.match(text, /42/);
});

test('list_languages lists python', { timeout: 30000 }, async () => {
  const result = await client.callTool({ name: 'list_languages', arguments: {} });
  assert.notEqual(result.isError, true, JSON.stringify(result));
  assert.match(result.content[0].text, /python/);
});

// A call that must fail as a tool error the model can read: either a result
// with isError (preferred) or a JSON-RPC error. The SDK also throws an
// McpError when a result's structuredContent does not match the tool's
// outputSchema: that is a server bug, not the expected error, and is told
// apart here.
async function expectToolError(params, mention) {
  let result;
  try {
    result = await client.callTool(params, undefined, { timeout: CALL_MS });
  } catch (e) {
    assert.ok(e instanceof McpError, `expected an McpError, got ${e}`);
    assert.doesNotMatch(
      e.message,
      /output schema|structured content/i,
      `the server answered with a result whose structuredContent breaks its own outputSchema: ${e.message}`,
    );
    assert.match(e.message, mention);
    return;
  }
  assert.equal(result.isError, true, `expected isError: ${JSON.stringify(result)}`);
  const text = result.content.map((c) => c.text ?? '').join('\n');
  assert.match(text, mention);
}

test('an unknown language is a tool error', { timeout: CALL_MS }, async () => {
  await expectToolError(
    { name: 'execute_code', arguments: { language: 'cobol-2099', code: 'DISPLAY 1' } },
    /cobol-2099|language/,
  );
});

test('a call without `code` is an error naming the argument', { timeout: CALL_MS }, async () => {
  await expectToolError({ name: 'execute_code', arguments: { language: 'python' } }, /\bcode\b/);
});

test('an unknown tool is a JSON-RPC error -32602', { timeout: 30000 }, async () => {
  await assert.rejects(
    client.callTool({ name: 'no_such_tool', arguments: {} }),
    (e) => e instanceof McpError && e.code === -32602,
  );
});

// What an MCP client configured with `sbx-host mcp` can do: run code in every
// language of the table (each language's own test case), several at once.
test('execute_code runs every language of the table', { timeout: 600000 }, async () => {
  const dir = path.join(SOURCE_DIR, 'languages');
  const languages = fs.readdirSync(dir).filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
  assert.ok(languages.length >= 8, `only ${languages.length} languages in ${dir}`);
  const results = await Promise.all(languages.map(async (l) => {
    const args = { language: l.name, code: l.test.code, stdin: l.test.stdin ?? '' };
    const result = await client.callTool({ name: 'execute_code', arguments: args }, undefined,
      { timeout: 300000 });
    return { name: l.name, expected: l.test.expected_stdout, result };
  }));
  for (const { name, expected, result } of results) {
    assert.equal(result.structuredContent?.status, 'success', `${name}: ${JSON.stringify(result)}`);
    assert.equal(result.structuredContent.stdout, expected, name);
  }
});

test('a client with a progress token gets the output as it arrives', { timeout: CALL_MS }, async () => {
  const progress = [];
  const started = Date.now();
  const result = await client.callTool(
    {
      name: 'execute_code',
      arguments: { language: 'python', code: "import time\nprint('first', flush=True)\ntime.sleep(2)\nprint('second')\n" },
    },
    undefined,
    { timeout: CALL_MS, onprogress: (p) => progress.push({ ...p, at: Date.now() - started }) },
  );
  const ended = Date.now() - started;
  assert.equal(result.structuredContent?.status, 'success', JSON.stringify(result));
  assert.equal(result.structuredContent.stdout, 'first\nsecond\n');
  // print may write the line in two pieces; both came during the sleep.
  const early = progress.filter((p) => p.at < ended - 1500).map((p) => p.message).join('');
  assert.equal(early, 'first\n', JSON.stringify(progress));
  // The SDK hands a notification to its handler a microtask late, so one
  // that arrives in the same read as the response finds the call finished
  // and is dropped: the last chunk may be missing, never out of order.
  assert.ok('first\nsecond\n'.startsWith(progress.map((p) => p.message).join('')), JSON.stringify(progress));
  for (let i = 1; i < progress.length; ++i) assert.ok(progress[i].progress > progress[i - 1].progress);
});

test('cancelling a long call stops its run and removes its container', { timeout: CALL_MS }, async () => {
  const bashContainers = async () =>
    (await containersOwnedBy(server.pid)).filter((c) => c.Labels?.['org.sbx.language'] === 'bash');
  const abort = new AbortController();
  const call = client.callTool(
    { name: 'execute_code', arguments: { language: 'bash', code: 'echo started\nsleep 100\n' } },
    undefined,
    { timeout: CALL_MS, signal: abort.signal, onprogress: () => abort.abort('enough') },
  );
  await assert.rejects(call);
  // The run stops and its container goes, long before the program would end.
  const deadline = Date.now() + 10000;
  let left = await bashContainers();
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    left = await bashContainers();
  }
  assert.deepEqual(left.map((c) => c.Id.slice(0, 12)), [], 'the cancelled run still has its container');
  // The server goes on serving.
  const next = await client.callTool(
    { name: 'execute_code', arguments: { language: 'python', code: 'print(1)' } },
    undefined,
    { timeout: CALL_MS },
  );
  assert.equal(next.structuredContent?.status, 'success', JSON.stringify(next));
});

test('a session keeps files and python state across calls', { timeout: 4 * CALL_MS }, async () => {
  const call = async (name, args) => {
    const result = await client.callTool({ name, arguments: args }, undefined, { timeout: CALL_MS });
    assert.equal(result.isError, false, `${name}: ${JSON.stringify(result)}`);
    return result;
  };
  const opened = await call('create_session', { language: 'python', repl: true });
  const sessionId = opened.structuredContent.session_id;
  assert.match(sessionId, /^s-[0-9a-f]+$/);
  await call('execute_code', { session_id: sessionId, language: 'python', code: 'x = 20' });
  const sum = await call('execute_code', { session_id: sessionId, language: 'python', code: 'x += 22; print(x)' });
  assert.equal(sum.structuredContent.stdout, '42\n', JSON.stringify(sum));
  assert.equal(sum.structuredContent.session_id, sessionId);
  await call('write_file', { session_id: sessionId, path: 'data/in.txt', content: 'hello' });
  await call('execute_code', {
    session_id: sessionId,
    language: 'python',
    code: "open('out.txt', 'w').write(open('data/in.txt').read().upper())",
  });
  const read = await call('read_file', { session_id: sessionId, path: 'out.txt' });
  assert.equal(read.content[0].text, 'HELLO');
  const listed = await call('list_files', { session_id: sessionId });
  assert.deepEqual(listed.structuredContent.files.map((f) => f.path), ['data/in.txt', 'out.txt']);
  // Left open on purpose: the server closes it when the client disconnects
  // (the last test checks that no container remains).
});

test('ping', { timeout: 30000 }, async () => {
  assert.deepEqual(await client.ping(), {});
});

test('close: the server exits 0 and leaves no container', { timeout: 60000 }, async () => {
  const pid = server.pid;
  // The SDK ends stdin, waits 2 s, then sends SIGTERM: an exit by signal
  // means the server did not stop on EOF in time.
  await client.close();
  const { code, signal } = await serverExit;
  assert.equal(signal, null, `sbx-host mcp was killed by ${signal}: it did not exit on stdin EOF`);
  assert.equal(code, 0);
  assert.deepEqual(await leftoverContainers(pid), [], 'containers of the server remain');
});
