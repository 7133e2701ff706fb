// `sbx-host dispatch`: tool calls as JSON lines on stdin, one answer line per
// call on stdout, in input order, in the shape the call came in (OpenAI or
// Anthropic). A malformed line gets an error line; it never ends the run.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { killChildren, leftoverContainers, runHost } from './support.mjs';

after(killChildren);

const openai = (id, name, args) => ({
  id,
  type: 'function',
  function: { name, arguments: typeof args === 'string' ? args : JSON.stringify(args) },
});
const anthropic = (id, name, input) => ({ type: 'tool_use', id, name, input });

// Runs dispatch over `lines` (objects are serialized, strings sent as is) and
// returns the parsed answers, after checking that stdout is exactly one JSON
// object per line and that the server's containers are gone.
async function dispatch(lines, { args = [], ms = 180000 } = {}) {
  const input = lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l)) + '\n').join('');
  const run = await runHost(['dispatch', ...args], { input, ms });
  assert.equal(run.signal, null, run.stderr);
  assert.ok(run.stdout === '' || run.stdout.endsWith('\n'), `last line unterminated: ${run.stdout}`);
  const out = run.stdout.split('\n').slice(0, -1);
  const answers = out.map((line) => {
    let value;
    assert.doesNotThrow(() => (value = JSON.parse(line)), `not JSON: ${line}`);
    assert.equal(typeof value, 'object', line);
    assert.ok(value !== null && !Array.isArray(value), line);
    return value;
  });
  assert.deepEqual(await leftoverContainers(run.pid), [], 'containers of dispatch remain');
  return { ...run, answers };
}

function assertOpenAIAnswer(answer, id) {
  assert.deepEqual(Object.keys(answer).sort(), ['content', 'role', 'tool_call_id'], JSON.stringify(answer));
  assert.equal(answer.role, 'tool');
  assert.equal(answer.tool_call_id, id);
  assert.equal(typeof answer.content, 'string');
}

function assertAnthropicAnswer(answer, id, isError) {
  assert.deepEqual(
    Object.keys(answer).sort(),
    ['content', 'is_error', 'tool_use_id', 'type'],
    JSON.stringify(answer),
  );
  assert.equal(answer.type, 'tool_result');
  assert.equal(answer.tool_use_id, id);
  assert.equal(typeof answer.content, 'string');
  assert.equal(answer.is_error, isError, JSON.stringify(answer));
}

test('OpenAI shape: execute_code and list_languages', { timeout: 200000 }, async () => {
  const { code, answers, stderr } = await dispatch([
    openai('call_1', 'execute_code', { language: 'python', code: 'print(6*7)' }),
    openai('call_2', 'list_languages', {}),
  ]);
  assert.equal(code, 0, stderr);
  assert.equal(answers.length, 2);
  assertOpenAIAnswer(answers[0], 'call_1');
  assert.match(answers[0].content, /^status: success/);
  assert.match(answers[0].content, /\n42\n/);
  assertOpenAIAnswer(answers[1], 'call_2');
  assert.match(answers[1].content, /python/);
});

test('Anthropic shape: execute_code, a failing program, list_languages', { timeout: 200000 }, async () => {
  const { code, answers, stderr } = await dispatch([
    anthropic('toolu_1', 'execute_code', { language: 'python', code: 'print(6*7)' }),
    anthropic('toolu_2', 'execute_code', { language: 'python', code: 'import sys; sys.exit(3)' }),
    anthropic('toolu_3', 'list_languages', {}),
  ]);
  assert.equal(code, 0, stderr);
  assert.equal(answers.length, 3);
  assertAnthropicAnswer(answers[0], 'toolu_1', false);
  assert.match(answers[0].content, /^status: success/);
  assert.match(answers[0].content, /\n42\n/);
  // A program that fails is a result for the model to read, not a tool error.
  assertAnthropicAnswer(answers[1], 'toolu_2', false);
  assert.match(answers[1].content, /^status: execution_error, exit code 3/);
  assertAnthropicAnswer(answers[2], 'toolu_3', false);
  assert.match(answers[2].content, /python/);
});

test('good and malformed lines: one answer each, in order', { timeout: 200000 }, async () => {
  const lines = [
    openai('call_ok', 'execute_code', { language: 'python', code: 'print("first")' }),
    '{"this is": not json',
    '{"hello":"world"}',
    '[1, 2, 3]',
    openai('call_badargs', 'execute_code', '{"language": "python", "code": '), // arguments: not JSON
    anthropic('toolu_badinput', 'execute_code', 'print(1)'), // input: not an object
    anthropic('toolu_lang', 'execute_code', { language: 'cobol-2099', code: 'x' }),
    openai('call_lang', 'execute_code', { language: 'cobol-2099', code: 'x' }),
    anthropic('toolu_nocode', 'execute_code', { language: 'python' }),
    anthropic('toolu_tool', 'no_such_tool', {}),
    anthropic('toolu_ok', 'execute_code', { language: 'python', code: 'print("last")' }),
  ];
  const { answers } = await dispatch(lines);
  assert.equal(answers.length, lines.length, JSON.stringify(answers, null, 1));

  assertOpenAIAnswer(answers[0], 'call_ok');
  assert.match(answers[0].content, /^status: success[^]*\nfirst\n/);

  // Lines of no known shape: {"error":{"line":N,"message":...}}, N from 1.
  for (const i of [1, 2, 3]) {
    assert.deepEqual(Object.keys(answers[i]), ['error'], JSON.stringify(answers[i]));
    assert.equal(answers[i].error.line, i + 1, JSON.stringify(answers[i]));
    assert.equal(typeof answers[i].error.message, 'string');
    assert.ok(answers[i].error.message.length > 0);
  }

  assertOpenAIAnswer(answers[4], 'call_badargs');
  assert.match(answers[4].content, /^error:/);
  assert.match(answers[4].content, /arguments/);

  assertAnthropicAnswer(answers[5], 'toolu_badinput', true);
  assert.match(answers[5].content, /input|arguments/);

  assertAnthropicAnswer(answers[6], 'toolu_lang', true);
  assert.match(answers[6].content, /language/);

  assertOpenAIAnswer(answers[7], 'call_lang');
  assert.match(answers[7].content, /language/);

  assertAnthropicAnswer(answers[8], 'toolu_nocode', true);
  assert.match(answers[8].content, /\bcode\b/);

  assertAnthropicAnswer(answers[9], 'toolu_tool', true);
  assert.match(answers[9].content, /no_such_tool/);

  assertAnthropicAnswer(answers[10], 'toolu_ok', false);
  assert.match(answers[10].content, /^status: success[^]*\nlast\n/);
});

test('blank lines get no answer', { timeout: 60000 }, async () => {
  const { code, answers, stderr } = await dispatch([
    '',
    '   ',
    anthropic('toolu_1', 'list_languages', {}),
    '',
  ]);
  assert.equal(code, 0, stderr);
  assert.equal(answers.length, 1, JSON.stringify(answers));
  assertAnthropicAnswer(answers[0], 'toolu_1', false);
});

test('no input: no output, exit 0', { timeout: 60000 }, async () => {
  const { code, answers, stderr } = await dispatch([]);
  assert.equal(code, 0, stderr);
  assert.deepEqual(answers, []);
});

// Call i sleeps less the larger i is, so that with 4 at a time later calls
// finish first; the answers must still come in input order.
test('--jobs 4 answers in input order', { timeout: 300000 }, async () => {
  const n = 8;
  const lines = [];
  for (let i = 0; i < n; i++) {
    const args = { language: 'python', code: `import time\ntime.sleep(${((n - 1 - i) * 0.2).toFixed(1)})\nprint(${i})` };
    lines.push(i % 2 ? anthropic(`toolu_${i}`, 'execute_code', args) : openai(`call_${i}`, 'execute_code', args));
  }
  const { code, answers, stderr } = await dispatch(lines, { args: ['--jobs', '4'], ms: 280000 });
  assert.equal(code, 0, stderr);
  assert.equal(answers.length, n, JSON.stringify(answers, null, 1));
  answers.forEach((answer, i) => {
    if (i % 2) assertAnthropicAnswer(answer, `toolu_${i}`, false);
    else assertOpenAIAnswer(answer, `call_${i}`);
    assert.match(answer.content, /^status: success/, `call ${i}: ${answer.content}`);
    assert.match(answer.content, new RegExp(`--- stdout ---\\n${i}\\n`), `call ${i}: ${answer.content}`);
  });
});
