/** Which dataset_info.json entry applies to a file, and the entry mistakes LLaMA-Factory is silent or fatal about. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { datasetInfoFor } from '../../../server/src/service/configFile';
import { lintFiles } from '../../../server/src/service/files';

describe('dataset_info.json entries', () => {
  let folder: string;
  before(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'tunesmith-entries-'));
    mkdirSync(path.join(folder, 'sub'));
    for (const name of ['a.json', 'b.json', 'c.json', 'd.json', path.join('sub', 'e.json')]) writeFileSync(path.join(folder, name), '[]');
    const info = {
      a: { file_name: 'a.json', formating: 'sharegpt' },
      b: { file_name: './b.json', formatting: 'chatml' },
      c: { file_name: 'c.json', formatting: 'sharegpt', colums: { messages: 'turns' } },
      e: { file_name: 'sub/d.json', formatting: 'sharegpt' },
    };
    writeFileSync(path.join(folder, 'dataset_info.json'), JSON.stringify(info, null, 2));
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('an entry key LLaMA-Factory does not read is reported at its place, with what it was probably meant to be', () => {
    const info = path.join(folder, 'dataset_info.json');
    assert.equal(datasetInfoFor(path.join(folder, 'a.json')).problem, `${info}:4:5: the entry "a" has "formating", which LLaMA-Factory does not read (did you mean "formatting"?): it is ignored, so the file is read as Alpaca (the default).`);
    assert.equal(datasetInfoFor(path.join(folder, 'c.json')).problem, `${info}:13:5: the entry "c" has "colums", which LLaMA-Factory does not read (did you mean "columns"?): it is ignored.`);
  });

  it('a "formatting" LLaMA-Factory does not know is reported at its value', () => {
    assert.match(datasetInfoFor(path.join(folder, 'b.json')).problem ?? '', /dataset_info\.json:8:19: "formatting": "chatml" is not a format LLaMA-Factory knows \(alpaca, sharegpt or openai\), and it stops on the entry "b"/);
    assert.equal(datasetInfoFor(path.join(folder, 'b.json')).hint?.forced, undefined);
  });

  it('file_name is read relative to the folder of dataset_info.json: "./b.json" is b.json, "sub/d.json" is not d.json but the d.json of sub/', () => {
    assert.ok(datasetInfoFor(path.join(folder, 'b.json')).hint !== undefined);
    assert.deepEqual(datasetInfoFor(path.join(folder, 'd.json')), { hint: undefined, problem: undefined });
    // sub/ has no dataset_info.json of its own: the one above it lists the file (LLaMA-Factory's dataset_dir is that folder).
    assert.equal(datasetInfoFor(path.join(folder, 'sub', 'd.json')).hint?.forced, 'sharegpt');
    assert.equal(datasetInfoFor(path.join(folder, 'sub', 'e.json')).hint, undefined);
  });
});

describe('dataset_info.json found above the dataset, or naming its folder', () => {
  it('a file_name that names a folder lists the files directly in it (LLaMA-Factory loads them all), not those of its subfolders', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'tunesmith-shards-'));
    try {
      writeFileSync(path.join(folder, 'dataset_info.json'), JSON.stringify({ s: { file_name: 'shards', formatting: 'sharegpt', columns: { messages: 'turns' } } }));
      assert.equal(datasetInfoFor(path.join(folder, 'shards', 'part-0.jsonl')).hint?.mapping.columns.messages, 'turns');
      assert.equal(datasetInfoFor(path.join(folder, 'shards', 'old', 'part-0.jsonl')).hint, undefined);
      assert.equal(datasetInfoFor(path.join(folder, 'other', 'part-0.jsonl')).hint, undefined);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('a dataset_info.json saved with a byte order mark is said to stop LLaMA-Factory, and its entry still reads the records', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'tunesmith-info-bom-'));
    try {
      writeFileSync(path.join(folder, 'dataset_info.json'), `\ufeff${JSON.stringify({ q: { file_name: 'q.jsonl', columns: { prompt: 'q', response: 'a' } } })}`);
      writeFileSync(path.join(folder, 'q.jsonl'), `${JSON.stringify({ q: 'Capital of Peru?', a: 'Lima.' })}\n`);
      const info = datasetInfoFor(path.join(folder, 'q.jsonl'));
      assert.equal(info.problem, `${path.join(folder, 'dataset_info.json')}:1:1: dataset_info.json starts with a byte order mark (BOM), which LLaMA-Factory's json.load rejects ("Unexpected UTF-8 BOM"): training stops before it starts. Save the file as UTF-8 without BOM.`);
      const result = await lintFiles([path.join(folder, 'q.jsonl')], { overrides: { minExamples: 0 } });
      assert.ok(result.warnings.includes(info.problem ?? ''), JSON.stringify(result.warnings));
      assert.deepEqual(result.files[0]?.diagnostics.map((item) => item.rule), []);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('LLaMA-Factory\'s "openai" formatting', () => {
  const tags = { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant', observation_tag: 'tool', function_tag: 'function', system_tag: 'system' };
  const weather = { type: 'function', function: { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };
  const call = (city: string, encoded = false): object => ({ type: 'function', function: { name: 'get_weather', arguments: encoded ? JSON.stringify({ city }) : { city } } });

  it('reads an answer\'s tool_calls as the call and merges consecutive tool results, as its converter does', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'tunesmith-openai-'));
    try {
      writeFileSync(path.join(folder, 'dataset_info.json'), JSON.stringify({ oai: { file_name: 'oai.jsonl', formatting: 'openai', columns: { messages: 'messages', tools: 'tools' }, tags } }));
      const records = [
        { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Weather in Paris and Rome?' }, { role: 'assistant', content: '', tool_calls: [call('Paris'), call('Rome')] }, { role: 'tool', content: '18' }, { role: 'tool', content: '22' }, { role: 'assistant', content: 'Paris 18 C, Rome 22 C.' }], tools: [weather] },
        { messages: [{ role: 'user', content: 'Weather in Oslo?' }, { role: 'assistant', content: null, tool_calls: [call('Oslo', true)] }, { role: 'tool', content: '3' }, { role: 'assistant', content: 'Oslo 3 C.' }], tools: [weather] },
        { messages: [{ role: 'user', content: 'Name a shape' }, { role: 'user', content: 'Please' }, { role: 'assistant', content: 'Circle.' }] },
      ];
      writeFileSync(path.join(folder, 'oai.jsonl'), `${records.map((record) => JSON.stringify(record)).join('\n')}\n`);
      assert.equal(datasetInfoFor(path.join(folder, 'oai.jsonl')).problem, undefined);
      const result = await lintFiles([path.join(folder, 'oai.jsonl')], { overrides: { minExamples: 0 } });
      const found = result.files[0]?.diagnostics.map((item) => `${item.range.start.line + 1}:${item.rule}:${item.message}`) ?? [];
      assert.equal(found.length, 2, found.join('\n'));
      // LLaMA-Factory json.dumps the "arguments" of each call again: a JSON string arrives quoted.
      assert.match(found[0] ?? '', /^2:tool-call-schema:The "arguments" of the call to "get_weather" is a JSON string: LLaMA-Factory encodes it again/);
      // At the arguments, not the whole call.
      const oslo = JSON.stringify(records[1]);
      assert.equal(result.files[0]?.diagnostics[0]?.range.start.character, oslo.indexOf('"{\\"city\\"'));
      assert.match(found[1] ?? '', /^3:role-order:Turn 2 of the conversation must be "assistant" or "function", not "user"/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('without "tags" it is said that the messages are read by ShareGPT\'s tags, with the OpenAI ones to add', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'tunesmith-openai-tags-'));
    try {
      writeFileSync(path.join(folder, 'dataset_info.json'), JSON.stringify({ oai: { file_name: 'oai.jsonl', formatting: 'openai' } }));
      assert.match(datasetInfoFor(path.join(folder, 'oai.jsonl')).problem ?? '', /:1:46: the entry "oai" has "formatting": "openai" but no "tags": LLaMA-Factory then reads each message by ShareGPT's default tags .*add "tags": \{"role_tag": "role", "content_tag": "content"/);
      writeFileSync(path.join(folder, 'dataset_info.json'), JSON.stringify({ oai: { file_name: 'oai.jsonl', formatting: 'openai', tags: { role_tag: 'role', content_tag: 'content' } } }));
      assert.match(datasetInfoFor(path.join(folder, 'oai.jsonl')).problem ?? '', /lists "tags" without user_tag, assistant_tag\. .*Add "user_tag": "user", "assistant_tag": "assistant"/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('ShareGPT role tags when dataset_info.json describes the file', () => {
  it('a "tool" turn is an unknown role there (LLaMA-Factory skips the example), while without an entry it is read as a tool result', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'tunesmith-tool-tag-'));
    try {
      const record = { conversations: [{ from: 'human', value: 'Weather?' }, { from: 'function_call', value: '{"name": "get_weather", "arguments": {}}' }, { from: 'tool', value: '{"temp": 20}' }, { from: 'gpt', value: 'It is 20 degrees.' }] };
      for (const name of ['described', 'plain']) {
        mkdirSync(path.join(folder, name));
        writeFileSync(path.join(folder, name, 'data.json'), JSON.stringify([record]));
      }
      writeFileSync(path.join(folder, 'described', 'dataset_info.json'), JSON.stringify({ d: { file_name: 'data.json', formatting: 'sharegpt' } }));
      const roles = async (name: string): Promise<string[]> => (await lintFiles([path.join(folder, name, 'data.json')], { overrides: { minExamples: 0 } })).files[0]?.diagnostics.filter((item) => item.rule === 'unknown-role').map((item) => item.message) ?? [];
      const described = await roles('described');
      assert.equal(described.length, 1);
      assert.match(described[0] ?? '', /"tool" is an OpenAI role name, not a ShareGPT tag: LLaMA-Factory skips this example.*Use "observation"/);
      assert.deepEqual(await roles('plain'), []);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
