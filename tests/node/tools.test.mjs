// `sbx-host tools --dialect D` prints {"tools":[...]} in the shape each
// dialect's API takes, with input schemas that are valid JSON Schema (ajv in
// strict mode compiles them) and accept and reject the arguments they should.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { Ajv2020 } from 'ajv/dist/2020.js';

import { killChildren, runHost } from './support.mjs';

after(killChildren);

// OpenAI, Anthropic and MCP clients all accept this.
const NAME = /^[a-zA-Z0-9_-]{1,64}$/;

// What each dialect calls the parts of a tool, and which keys it may carry.
const dialects = {
  mcp: {
    parts: (t) => ({ name: t.name, description: t.description, input: t.inputSchema, output: t.outputSchema }),
    keys: ['name', 'description', 'inputSchema', 'outputSchema', 'title', 'annotations'],
  },
  openai: {
    parts: (t) => {
      assert.deepEqual(Object.keys(t).sort(), ['function', 'type'], JSON.stringify(t));
      assert.equal(t.type, 'function');
      return { name: t.function.name, description: t.function.description, input: t.function.parameters };
    },
    keys: ['type', 'function'],
    inner: (t) => t.function,
    innerKeys: ['name', 'description', 'parameters', 'strict'],
  },
  anthropic: {
    parts: (t) => ({ name: t.name, description: t.description, input: t.input_schema }),
    keys: ['name', 'description', 'input_schema', 'cache_control'],
  },
};

async function tools(dialect) {
  const run = await runHost(['tools', '--dialect', dialect], { ms: 60000 });
  assert.equal(run.code, 0, run.stderr);
  const doc = JSON.parse(run.stdout);
  assert.deepEqual(Object.keys(doc), ['tools'], run.stdout);
  assert.ok(Array.isArray(doc.tools) && doc.tools.length > 0);
  return doc.tools;
}

function newAjv() {
  return new Ajv2020({ strict: true, allErrors: true });
}

// An object schema whose `required` names only declared properties, all the
// way down.
function checkObjectSchema(schema, where) {
  assert.equal(typeof schema, 'object', where);
  if (schema.type === 'object' || (Array.isArray(schema.type) && schema.type.includes('object'))) {
    if (schema.properties !== undefined) {
      assert.equal(typeof schema.properties, 'object', `${where}.properties`);
      for (const [key, sub] of Object.entries(schema.properties)) checkObjectSchema(sub, `${where}.${key}`);
    }
    for (const key of schema.required ?? [])
      assert.ok(schema.properties && key in schema.properties, `${where}: required "${key}" is not a property`);
  }
  if (schema.items) checkObjectSchema(schema.items, `${where}[]`);
}

for (const [dialect, shape] of Object.entries(dialects)) {
  test(`dialect ${dialect}: shape, names, schemas`, { timeout: 90000 }, async () => {
    const list = await tools(dialect);
    const names = [];
    for (const tool of list) {
      for (const key of Object.keys(tool))
        assert.ok(shape.keys.includes(key), `${dialect}: unexpected key "${key}" in ${JSON.stringify(tool)}`);
      if (shape.inner)
        for (const key of Object.keys(shape.inner(tool)))
          assert.ok(shape.innerKeys.includes(key), `${dialect}: unexpected key "${key}" in function`);
      const { name, description, input, output } = shape.parts(tool);
      assert.match(name, NAME);
      names.push(name);
      assert.equal(typeof description, 'string', `${name}: description`);
      assert.ok(description.length >= 20, `${name}: a description a model can use`);
      assert.equal(input?.type, 'object', `${name}: input schema type`);
      assert.equal(typeof input.properties, 'object', `${name}: input schema properties`);
      checkObjectSchema(input, `${name}.input`);
      assert.doesNotThrow(() => newAjv().compile(input), `${name}: input schema does not compile`);
      if (output !== undefined) {
        assert.equal(output.type, 'object', `${name}: output schema type`);
        checkObjectSchema(output, `${name}.output`);
        assert.doesNotThrow(() => newAjv().compile(output), `${name}: output schema does not compile`);
      }
    }
    assert.deepEqual([...names].sort(), ['close_session', 'create_session', 'execute_code', 'list_files', 'list_languages', 'read_file', 'write_file']);
    assert.equal(new Set(names).size, names.length, 'names are unique');
  });
}

test('the three dialects describe the same tools', { timeout: 120000 }, async () => {
  const [mcp, openai, anthropic] = await Promise.all(['mcp', 'openai', 'anthropic'].map(tools));
  const strip = (list, dialect) => list.map((t) => {
    const { name, description, input } = dialects[dialect].parts(t);
    return { name, description, input };
  });
  assert.deepEqual(strip(openai, 'openai'), strip(mcp, 'mcp'));
  assert.deepEqual(strip(anthropic, 'anthropic'), strip(mcp, 'mcp'));
});

test('execute_code: its input schema accepts good calls and rejects bad ones', { timeout: 60000 }, async () => {
  const tool = (await tools('mcp')).find((t) => t.name === 'execute_code');
  const validate = newAjv().compile(tool.inputSchema);
  const good = [
    { language: 'python', code: 'print(1)' },
    { language: 'python', code: 'print(input())', stdin: 'x\n', args: ['a'], timeout_s: 5, memory_mb: 128 },
    { language: 'c', code: 'int main(){}', files: [{ path: 'a.h', content: '' }] },
  ];
  for (const args of good) assert.ok(validate(args), `${JSON.stringify(args)}: ${JSON.stringify(validate.errors)}`);
  const bad = [
    {},
    { code: 'print(1)' },
    { language: 'python' },
    { language: 'cobol-2099', code: 'x' },
    { language: 'python', code: 1 },
    { language: 'python', code: 'x', timeout_s: 0 },
    { language: 'python', code: 'x', files: [{ path: 'a' }] },
  ];
  for (const args of bad) assert.ok(!validate(args), `${JSON.stringify(args)} should be rejected`);
  const languages = tool.inputSchema.properties.language.enum;
  for (const name of ['python', 'javascript', 'java', 'c', 'cpp', 'go', 'rust', 'bash'])
    assert.ok(languages.includes(name), `language enum lacks ${name}: ${languages}`);
});

test('an unknown dialect is a usage error', { timeout: 60000 }, async () => {
  const run = await runHost(['tools', '--dialect', 'klingon'], { ms: 60000 });
  assert.notEqual(run.code, 0);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /klingon|dialect/);
});
