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
      b: { file_name: './b.json', formatting: 'openai' },
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
    assert.match(datasetInfoFor(path.join(folder, 'b.json')).problem ?? '', /dataset_info\.json:8:19: "formatting": "openai" is not a format LLaMA-Factory knows \(alpaca or sharegpt\), and it stops on the entry "b"/);
    assert.equal(datasetInfoFor(path.join(folder, 'b.json')).hint?.forced, undefined);
  });

  it('file_name is read relative to the folder of dataset_info.json: "./b.json" is b.json, "sub/d.json" is not d.json', () => {
    assert.ok(datasetInfoFor(path.join(folder, 'b.json')).hint !== undefined);
    assert.deepEqual(datasetInfoFor(path.join(folder, 'd.json')), { hint: undefined, problem: undefined });
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
