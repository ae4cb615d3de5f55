/** The workspace config file as the CLI (and the editor) read it: every problem says where it is. */
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveSettings, unknownRuleWarnings } from '../../../server/src/service/config';
import { datasetInfoFor, findConfigFile, parseConfigText } from '../../../server/src/service/configFile';
import { lintFiles } from '../../../server/src/service/files';

const chat = (user: string, assistant: string): string => JSON.stringify({ messages: [{ role: 'user', content: user }, { role: 'assistant', content: assistant }] });

describe('config file problems carry file:line:column', () => {
  it('a syntax error names the line and column of the bad token', () => {
    const text = '{\n  "maxTokens": 100\n  "model": "m"\n}\n';
    const loaded = parseConfigText('/w/tunesmith.json', text);
    assert.equal(loaded.data, undefined);
    assert.match(loaded.error ?? '', /^\/w\/tunesmith\.json:3:3: not valid JSON: /);
  });

  it('a file that is not an object is refused with its location', () => {
    const loaded = parseConfigText('/w/tunesmith.json', '\n  [1, 2]');
    assert.equal(loaded.data, undefined);
    assert.match(loaded.error ?? '', /^\/w\/tunesmith\.json:2:3: expected an object of settings/);
  });

  it('says when a count is a fraction, and what 0 used instead means', () => {
    const loaded = parseConfigText('/w/tunesmith.json', '{"maxTokens": 1.5, "maxProblems": -1}');
    assert.deepEqual(resolveSettings(loaded.data, { maxProblems: 0 }).warnings, ['/w/tunesmith.json:1:15: maxTokens: expected a whole number, got 1.5; 1 is used', '/w/tunesmith.json:1:35: maxProblems: expected a non-negative number, got -1; 0 (no limit) is used']);
  });

  it('a number too large for JSON to hold (read as Infinity) is named as such, not as null', () => {
    const loaded = parseConfigText('/w/tunesmith.json', '{"maxTokens": 1e400}');
    assert.deepEqual(resolveSettings(loaded.data).warnings, ['/w/tunesmith.json:1:15: maxTokens: expected a non-negative number, got a number too large to hold (Infinity); the default 4096 is used']);
  });

  it('a BOM is accepted, and does not shift columns', () => {
    const loaded = parseConfigText('/w/tunesmith.json', '\uFEFF{"maxTokens": "many"}');
    assert.equal(loaded.error, undefined);
    assert.deepEqual(resolveSettings(loaded.data).warnings, ['/w/tunesmith.json:1:15: maxTokens: expected a non-negative number, got "many"; the default 4096 is used']);
  });

  it('malformed values, unknown keys and unknown rule ids are reported at their place, with suggestions', () => {
    const text = ['{', '  "rules": { "near-duplicate": "warnin", "secret-pii": "off" },', '  "maxToken": 5,', '  "format": "share-gpt"', '}'].join('\n');
    const loaded = parseConfigText('/w/tunesmith.json', text);
    const { settings, warnings } = resolveSettings(loaded.data);
    assert.deepEqual(settings.rules, { 'secret-pii': 'off' });
    assert.equal(settings.format, 'auto');
    assert.deepEqual(warnings, [
      '/w/tunesmith.json:3:3: unknown setting "maxToken" (did you mean "maxTokens"?); it was ignored. Settings are rules, maxTokens, model, format, files, minExamples, maxProblems, nearDuplicateThreshold, maxFileSize.',
      '/w/tunesmith.json:2:32: rules.near-duplicate: expected one of off, hint, info, warning, error, got "warnin" (did you mean "warning"?); the rule keeps its default severity',
      '/w/tunesmith.json:4:13: format: expected one of auto, openai-chat, sharegpt, alpaca, prompt-completion, text, preference, prompt-only, stepwise, got "share-gpt" (did you mean "sharegpt"?); "auto" (each file\'s format found from its records) is used',
    ]);
    assert.deepEqual(unknownRuleWarnings(loaded.data, ['near-duplicate', 'secrets-pii']), ['/w/tunesmith.json:2:42: rules.secret-pii: no rule has this id (did you mean "secrets-pii"?); it was ignored']);
  });

  it('a files glob that cannot be read is reported at its place, for the editor as for the command line', () => {
    const loaded = parseConfigText('/w/tunesmith.json', '{"files": ["data/*.jsonl", "data/{a,b.jsonl"]}');
    assert.deepEqual(resolveSettings(loaded.data).warnings, ["/w/tunesmith.json:1:28: files: 'data/{a,b.jsonl' is not a valid glob: the '{' at character 6 is never closed with '}'; it was ignored"]);
    assert.deepEqual(resolveSettings({ files: ['**/*.jsonl}'] }).warnings, ["files: '**/*.jsonl}' is not a valid glob: the '}' at character 11 closes no '{'; it was ignored"]);
  });

  it('a short severity as ESLint writes it ("warn") gets the full name suggested', () => {
    const loaded = parseConfigText('/w/tunesmith.json', '{"rules": {"whitespace": "warn"}}');
    assert.deepEqual(resolveSettings(loaded.data).warnings, ['/w/tunesmith.json:1:26: rules.whitespace: expected one of off, hint, info, warning, error, got "warn" (did you mean "warning"?); the rule keeps its default severity']);
  });

  it('a dropped value names the value used instead: an editor setting below it, or the default', () => {
    const loaded = parseConfigText('/w/tunesmith.json', '{\n  "maxTokens": "2k",\n  "rules": { "whitespace": "warn", "too-long": "loud" }\n}');
    assert.deepEqual(resolveSettings({ maxTokens: 100, rules: { whitespace: 'error' } }, loaded.data).warnings, [
      '/w/tunesmith.json:3:28: rules.whitespace: expected one of off, hint, info, warning, error, got "warn" (did you mean "warning"?); "error" from the other settings is used',
      '/w/tunesmith.json:3:48: rules.too-long: expected one of off, hint, info, warning, error, got "loud"; the rule keeps its default severity',
      '/w/tunesmith.json:2:16: maxTokens: expected a non-negative number, got "2k"; 100 is used',
    ]);
    // A command-line option over the file is the one used.
    assert.deepEqual(resolveSettings(loaded.data, { maxTokens: 50 }).warnings.slice(-1), ['/w/tunesmith.json:2:16: maxTokens: expected a non-negative number, got "2k"; 50 is used']);
  });

  it('"maxTokens": null in a config file is reported (0 turns the checks off); null from the editor is an unset setting', () => {
    const loaded = parseConfigText('/w/tunesmith.json', '{\n  "maxTokens": null\n}');
    assert.deepEqual(resolveSettings(loaded.data).warnings, ['/w/tunesmith.json:2:16: maxTokens: expected a non-negative number, got null (use 0 to turn the length checks off); the default 4096 is used']);
    assert.deepEqual(resolveSettings({ maxTokens: null, minExamples: null }).warnings, []);
  });

  it('a "!" exclusion in files is reported at its place, from the editor as from the command line', () => {
    const loaded = parseConfigText('/w/tunesmith.json', '{\n  "files": ["data/**", "!fixtures/**"]\n}');
    assert.deepEqual(resolveSettings(loaded.data).warnings, ['/w/tunesmith.json:2:24: files: \'!fixtures/**\': "!" exclusions are not supported, so nothing was left out; list the files or folders to lint instead']);
  });

  it('editor settings (not from a file) are not checked for unknown keys: VS Code passes its whole section', () => {
    assert.deepEqual(resolveSettings({ maxTokens: 10, preview: { debounceMs: 5 }, device: 'cpu' }).warnings, []);
  });
});

describe('lintFiles() with a config file', () => {
  let folder: string;
  before(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'tunesmith-config-'));
    mkdirSync(path.join(folder, 'data', 'deep'), { recursive: true });
    mkdirSync(path.join(folder, 'other'));
    const lines = Array.from({ length: 12 }, (_, index) => chat(`Question ${index} about ${['cats', 'ships', 'stars'][index % 3]} number ${index * 17}?`, `Answer ${index}.`));
    writeFileSync(path.join(folder, 'data', 'a.jsonl'), lines.join('\n') + '\n');
    writeFileSync(path.join(folder, 'data', 'deep', 'b.jsonl'), lines.join('\n') + '\n');
    writeFileSync(path.join(folder, 'other', 'c.jsonl'), lines.join('\n') + '\n');
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('an empty "files" means the default globs, as in the editor (not "no dataset files")', async () => {
    writeFileSync(path.join(folder, 'tunesmith.json'), JSON.stringify({ files: [] }));
    const linted = await lintFiles([], { cwd: path.join(folder, 'data') });
    assert.deepEqual(linted.files.map((file) => file.file), ['a.jsonl', path.join('deep', 'b.jsonl')]);
  });
  it('reads "files" globs relative to the config file, wherever the command runs', async () => {
    writeFileSync(path.join(folder, 'tunesmith.json'), JSON.stringify({ files: ['data/**/*.jsonl'] }));
    const fromRoot = await lintFiles([], { cwd: folder });
    assert.deepEqual(fromRoot.files.map((file) => file.file), [path.join('data', 'a.jsonl'), path.join('data', 'deep', 'b.jsonl')]);
    const fromData = await lintFiles([], { cwd: path.join(folder, 'data') });
    assert.deepEqual(fromData.files.map((file) => file.file), ['a.jsonl', path.join('deep', 'b.jsonl')]);
    const fromOther = await lintFiles([], { cwd: path.join(folder, 'other') });
    // Outside the working folder, files are shown with their absolute paths.
    assert.deepEqual(fromOther.files.map((file) => file.file), [path.join(folder, 'data', 'a.jsonl'), path.join(folder, 'data', 'deep', 'b.jsonl')]);
  });

  it('stops on a config file that does not parse instead of linting with the defaults', async () => {
    writeFileSync(path.join(folder, 'tunesmith.json'), '{"rules": {"too-long": "off"},}');
    const result = await lintFiles([path.join('data', 'a.jsonl')], { cwd: folder });
    assert.deepEqual(result.files, []);
    assert.match(result.configError ?? '', /tunesmith\.json:1:31: not valid JSON: Unexpected '}': expected a property name \(trailing comma\?\)/);
  });

  it('says where a key is written twice (JSON keeps the last one without a word)', async () => {
    writeFileSync(path.join(folder, 'tunesmith.json'), '{\n  "rules": {"too-long": "error", "too-long": "off"}\n}');
    const result = await lintFiles([path.join('data', 'a.jsonl')], { cwd: folder });
    assert.equal(result.files.length, 1);
    assert.deepEqual(result.warnings, [`${path.join(folder, 'tunesmith.json')}:2:34: "too-long" is written twice in this object; the last one is used. Remove the other.`]);
  });

  it('says where a model that cannot be loaded was configured', async () => {
    writeFileSync(path.join(folder, 'tunesmith.json'), '{\n  "model": "no-such-model"\n}');
    const result = await lintFiles([path.join('data', 'a.jsonl')], { cwd: folder });
    assert.equal(result.files.length, 1);
    assert.deepEqual(result.warnings, [`${path.join(folder, 'tunesmith.json')}:2:12: model: cannot load a tokenizer from ${path.join(folder, 'no-such-model')}: no such folder. Token counts are estimates until this is fixed.`]);
  });

  it('reports paths that name no dataset file, even beside ones that do', async () => {
    rmSync(path.join(folder, 'tunesmith.json'));
    mkdirSync(path.join(folder, 'empty'), { recursive: true });
    const result = await lintFiles([path.join('data', 'a.jsonl'), 'missing.jsonl', 'empty', 'data/*.none'], { cwd: folder });
    assert.deepEqual(result.unmatched, ['missing.jsonl', 'empty', 'data/*.none']);
    assert.equal(result.files.length, 1);
    // A folder named twice, or a file inside a folder also given, is not "unmatched".
    assert.deepEqual((await lintFiles(['data', path.join('data', 'a.jsonl')], { cwd: folder })).unmatched, []);
  });

  it('lints each file with the config file nearest to it, as the editor and the trainer do', async () => {
    // The root's config turns whitespace off; data/deep's own config turns it up to error.
    const spaced = [chat('What is the capital of France, and why?', ' Paris is the capital. '), ...Array.from({ length: 11 }, (_, index) => chat(`Question ${index} about rivers number ${index * 31}?`, `Answer ${index}.`))];
    writeFileSync(path.join(folder, 'data', 'spaced.jsonl'), spaced.join('\n') + '\n');
    writeFileSync(path.join(folder, 'data', 'deep', 'spaced.jsonl'), spaced.join('\n') + '\n');
    writeFileSync(path.join(folder, 'tunesmith.json'), JSON.stringify({ rules: { whitespace: 'off' } }));
    writeFileSync(path.join(folder, 'data', 'deep', 'tunesmith.json'), JSON.stringify({ rules: { whitespace: 'error' } }));
    try {
      const result = await lintFiles([path.join('data', 'spaced.jsonl'), path.join('data', 'deep', 'spaced.jsonl')], { cwd: folder });
      const whitespace = (file: string): string[] => (result.files.find((entry) => entry.file === file)?.diagnostics ?? []).filter((diagnostic) => diagnostic.rule === 'whitespace').map((diagnostic) => diagnostic.severity);
      assert.deepEqual(whitespace(path.join('data', 'spaced.jsonl')), []);
      assert.deepEqual(whitespace(path.join('data', 'deep', 'spaced.jsonl')), ['error']);
      // Run from inside data/deep, the file above it still takes the root's config.
      const fromDeep = await lintFiles(['spaced.jsonl', path.join('..', 'spaced.jsonl')], { cwd: path.join(folder, 'data', 'deep') });
      assert.deepEqual(fromDeep.files.map((entry) => entry.diagnostics.filter((diagnostic) => diagnostic.rule === 'whitespace').length), [1, 0]);
      // A broken config nearer to a file stops the run, as a broken one in the current folder does.
      writeFileSync(path.join(folder, 'data', 'deep', 'tunesmith.json'), '{"rules": ');
      const broken = await lintFiles([path.join('data', 'spaced.jsonl'), path.join('data', 'deep', 'spaced.jsonl')], { cwd: folder });
      assert.deepEqual(broken.files, []);
      assert.match(broken.configError ?? '', /deep[/\\]tunesmith\.json:1:11: not valid JSON/);
    } finally {
      rmSync(path.join(folder, 'tunesmith.json'));
      rmSync(path.join(folder, 'data', 'deep', 'tunesmith.json'));
      rmSync(path.join(folder, 'data', 'spaced.jsonl'));
      rmSync(path.join(folder, 'data', 'deep', 'spaced.jsonl'));
    }
  });

  it('says which of tunesmith.json and .tunesmithrc.json in one folder is used, and that the other is ignored', async () => {
    writeFileSync(path.join(folder, 'tunesmith.json'), '{"maxTokens": 7}');
    writeFileSync(path.join(folder, '.tunesmithrc.json'), '{"maxTokens": 9}');
    try {
      const found = findConfigFile(path.join(folder, 'data'));
      const message = `${path.join(folder, '.tunesmithrc.json')} is ignored: ${path.join(folder, 'tunesmith.json')} beside it is used (one config file per folder; merge them into tunesmith.json)`;
      assert.equal(found?.ignored, message);
      const linted = await lintFiles([], { cwd: folder });
      assert.ok(linted.warnings.includes(message), linted.warnings.join('\n'));
    } finally {
      rmSync(path.join(folder, 'tunesmith.json'));
      rmSync(path.join(folder, '.tunesmithrc.json'));
    }
  });

  it('finds the config file in a parent folder', () => {
    writeFileSync(path.join(folder, '.tunesmithrc.json'), '{"maxTokens": 7}');
    try {
      const found = findConfigFile(path.join(folder, 'data', 'deep'));
      assert.equal(found?.path, path.join(folder, '.tunesmithrc.json'));
      assert.equal(resolveSettings(found?.data).settings.maxTokens, 7);
    } finally {
      rmSync(path.join(folder, '.tunesmithrc.json'));
    }
  });
});

describe('dataset_info.json that cannot be used', () => {
  it('says where it breaks and what follows, instead of dropping its column names silently', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'tunesmith-info-'));
    try {
      const dataset = path.join(folder, 'd.json');
      writeFileSync(dataset, '[{"turns": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "yo"}]}]');
      assert.equal(datasetInfoFor(dataset).problem, undefined, 'no dataset_info.json: nothing to say');
      writeFileSync(path.join(folder, 'dataset_info.json'), '{"d": {"file_name": "d.json", "formatting": "sharegpt",\n  "columns": {"messages": "turns"}\n');
      const problem = datasetInfoFor(dataset).problem ?? '';
      assert.match(problem, /dataset_info\.json:3:1: dataset_info\.json is not valid JSON \(Unexpected end of text.*\); its columns and tags are not used until it is fixed/);
      const result = await lintFiles([dataset], { cwd: folder });
      assert.ok(result.warnings.includes(problem), JSON.stringify(result.warnings));
      writeFileSync(path.join(folder, 'dataset_info.json'), '[]');
      assert.match(datasetInfoFor(dataset).problem ?? '', /:1:1: dataset_info\.json must be an object of datasets/);
      writeFileSync(path.join(folder, 'dataset_info.json'), '{"d": {"file_name": "d.json", "formatting": "sharegpt", "columns": {"messages": "turns"}}}');
      assert.equal(datasetInfoFor(dataset).problem, undefined);
      // Tags without the ones LLaMA-Factory cannot do without: said once, at the "tags" key.
      writeFileSync(path.join(folder, 'dataset_info.json'), '{"d": {"file_name": "d.json", "formatting": "sharegpt",\n "tags": {"role_tag": "from", "content_tag": "value"}}}');
      assert.equal(
        datasetInfoFor(dataset).problem,
        `${path.join(folder, 'dataset_info.json')}:2:2: the entry "d" lists "tags" without user_tag, assistant_tag. LLaMA-Factory sets every tag an entry leaves out to none (not to its default), so it fails on or skips every example of d.json. Add "user_tag": "human", "assistant_tag": "gpt" (or the names the file uses) to its tags.`,
      );
      writeFileSync(path.join(folder, 'dataset_info.json'), '{"d": {"file_name": "d.json", "formatting": "sharegpt", "tags": {"role_tag": "from", "content_tag": "value", "user_tag": "human", "assistant_tag": "gpt"}}}');
      assert.equal(datasetInfoFor(dataset).problem, undefined);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
