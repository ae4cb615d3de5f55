/**
 * Fix-all and rename quick fixes never lose data: no key written twice in an object, the renamed
 * key's value kept, and fix-all reaching JSONL records with whitespace (or the BOM) around them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver-types';
import { codeActions, resolveFileAction } from '../../../server/src/service/features/editor';
import type { LintDiagnostic } from '../../../server/src/service/linter';
import { applyEdits, lint, parse } from './helpers';

const uri = 'file:///test/data.jsonl';
const fixAllKind = 'source.fixAll.tunesmith';
const everywhere = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

function asLsp(diagnostic: LintDiagnostic): Diagnostic {
  return { range: diagnostic.range, message: diagnostic.message, source: 'tunesmith', code: diagnostic.rule };
}

/** The fix-all action, eager (edits at once) and lazy (resolved), after checking both agree; undefined when none is offered. */
function fixAllAction(text: string): { title: string; edits: TextEdit[] } | undefined {
  const { document, facts } = parse(text);
  const eager = codeActions(document, facts, uri, everywhere, []).find((action) => action.kind === fixAllKind);
  const lazy = codeActions(document, facts, uri, everywhere, [], { resolveEdits: true }).find((action) => action.kind === fixAllKind);
  assert.equal(lazy?.title, eager?.title, 'eager and lazy fix-all are offered alike');
  if (eager === undefined || lazy === undefined) return undefined;
  const resolved: CodeAction = resolveFileAction(document, facts, lazy);
  const edits = resolved.edit?.changes?.[uri] ?? [];
  assert.deepEqual(edits, eager.edit?.changes?.[uri], 'the resolved edits are the eager ones');
  // An offered fix-all always changes something, in as many records as its title says.
  assert.ok(edits.length > 0, `"${eager.title}" resolves to no edit`);
  assert.match(eager.title, new RegExp(` ${edits.length} records?$`));
  return { title: eager.title, edits };
}

/** Applies fix-all, checks a second one finds nothing to do, and returns the text. */
function fixAll(text: string): string {
  const action = fixAllAction(text);
  assert.ok(action, 'a fix-all action');
  const fixed = applyEdits(text, action.edits);
  assert.equal(fixAllAction(fixed), undefined, `a second fix-all has nothing left to do in ${fixed}`);
  return fixed;
}

/** Throws if an object of the JSON text has a key twice (JSON.parse would keep only the last value). */
function assertNoKeyTwice(json: string): void {
  let at = 0;
  const space = (): void => {
    while (/\s/.test(json[at] ?? '')) at++;
  };
  const string = (): string => {
    const start = at++;
    while (json[at] !== '"') at += json[at] === '\\' ? 2 : 1;
    at++;
    return JSON.parse(json.slice(start, at)) as string;
  };
  const value = (): void => {
    space();
    const char = json[at];
    if (char === '{' || char === '[') {
      const keys = new Set<string>();
      at++;
      space();
      while (json[at] !== '}' && json[at] !== ']') {
        if (char === '{') {
          const key = string();
          assert.ok(!keys.has(key), `"${key}" written twice in ${json}`);
          keys.add(key);
          space();
          at++; // the colon
        }
        value();
        space();
        if (json[at] === ',') at++;
        space();
      }
      at++;
    } else if (char === '"') string();
    else while (at < json.length && !/[\s,\]}]/.test(json[at] ?? '')) at++;
  };
  value();
}

/** The records of a JSONL text, each checked to be valid JSON with no key twice. */
function records(text: string): Record<string, unknown>[] {
  return text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((line) => line.trim() !== '').map((line) => {
    assertNoKeyTwice(line.trim());
    return JSON.parse(line) as Record<string, unknown>;
  });
}

describe('fix-all and renames never write a key twice', () => {
  it('an Alpaca record with "instruction" misspelt and an "input": fix-all renames the misspelt key, keeping the instruction and the input', () => {
    const fixed = fixAll('{"instrution": "Translate to French", "input": "cat", "output": "chat"}\n');
    assert.deepEqual(records(fixed), [{ instruction: 'Translate to French', input: 'cat', output: 'chat' }]);
  });

  it('the same record in the light bulb: every rename offered keeps the instruction text under "instruction"', () => {
    const text = '{"instrution": "Translate to French", "input": "cat", "output": "chat"}\n';
    const diagnostics = lint(text).diagnostics;
    const { document, facts } = parse(text);
    const renames = codeActions(document, facts, uri, everywhere, diagnostics.map(asLsp), { current: diagnostics }).filter((action) => action.kind === 'quickfix' && action.title.startsWith('Rename key'));
    assert.ok(renames.length > 0, 'a rename quick fix');
    for (const action of renames) assert.deepEqual(records(applyEdits(text, action.edit?.changes?.[uri] ?? [])), [{ instruction: 'Translate to French', input: 'cat', output: 'chat' }], action.title);
  });

  it('fix-all empties <noinput> inputs and removes weights from user messages, beside other fixes', () => {
    const fixed = fixAll('{"instruction": "Name a colour.", "input": "<noinput>", "output": " Blue."}\n{"messages": [{"role": "usr", "content": "Hi", "weight": 1}, {"role": "assistant", "content": "Hello."}]}\n');
    assert.deepEqual(records(fixed), [{ instruction: 'Name a colour.', input: '', output: 'Blue.' }, { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello.' }] }]);
  });

  it('after fix-all, the second misspelling of "instruction" is still reported (merge it or remove it)', () => {
    const fixed = fixAll('{"instrution": "Name a colour", "instructon": "Name a colour please", "output": "Blue"}\n');
    assert.ok(lint(fixed).diagnostics.some((item) => item.rule === 'unknown-key' && /"instructon" in the record looks like a second "instruction"/.test(item.message)));
  });

  it('two misspellings of "instruction": fix-all renames only the first, both texts are kept', () => {
    const fixed = fixAll('{"instrution": "Name a colour", "instructon": "Name a colour please", "output": "Blue"}\n');
    assert.deepEqual(records(fixed), [{ instruction: 'Name a colour', instructon: 'Name a colour please', output: 'Blue' }]);
  });

  it('two misspellings of a ShareGPT turn\'s "value": fix-all renames only the first, both texts are kept', () => {
    const fixed = fixAll('{"conversations": [{"from": "human", "valeu": "Hi", "vlaue": "Hi there"}, {"from": "gpt", "value": "Hello"}]}\n');
    assert.deepEqual(records(fixed), [{ conversations: [{ from: 'human', value: 'Hi', vlaue: 'Hi there' }, { from: 'gpt', value: 'Hello' }] }]);
  });

  it('two findings are merged into one quick fix only when their edits are the same', () => {
    const text = '{"conversations": [{"from": "human", "valeu": "Hi", "vlaue": "Hi there"}, {"from": "gpt", "value": "Hello"}]}\n';
    const diagnostics = lint(text).diagnostics;
    const { document, facts } = parse(text);
    const actions = codeActions(document, facts, uri, everywhere, diagnostics.map(asLsp), { current: diagnostics }).filter((action) => action.kind === 'quickfix');
    const edits = actions.map((action) => JSON.stringify(action.edit?.changes?.[uri]));
    assert.equal(new Set(edits).size, edits.length, 'no two actions with the same edit');
    // Each action's edit is the fix of every diagnostic it lists.
    for (const action of actions) {
      for (const diagnostic of action.diagnostics ?? []) {
        const own = codeActions(document, facts, uri, everywhere, [diagnostic], { current: diagnostics }).find((item) => item.kind === 'quickfix');
        assert.deepEqual(own?.edit, action.edit, `${action.title} for ${String(diagnostic.code)}`);
      }
    }
    for (const action of actions) records(applyEdits(text, action.edit?.changes?.[uri] ?? []));
  });
});

describe('fix-all on JSONL records with whitespace around them', () => {
  const record = '{"messages": [{"role": "usr", "content": "Café?"}, {"role": "assistant", "content": " Oui. "}]}';
  const fixedRecord = '{"messages": [{"role": "user", "content": "Café?"}, {"role": "assistant", "content": "Oui."}]}';
  const cases: [string, string, string][] = [
    ['indented with spaces', `  ${record}\n`, `  ${fixedRecord}\n`],
    ['spaces after the record', `${record}   \n`, `${fixedRecord}   \n`],
    ['indented with a tab, CRLF, after a clean record', `{"messages": [{"role": "user", "content": "ok"}, {"role": "assistant", "content": "fine"}]}\r\n\t${record}\r\n`, `{"messages": [{"role": "user", "content": "ok"}, {"role": "assistant", "content": "fine"}]}\r\n\t${fixedRecord}\r\n`],
  ];
  for (const [name, text, expected] of cases) {
    it(`${name}: the record is fixed, the whitespace kept`, () => {
      assert.equal(fixAllAction(text)?.title, 'Fix whitespace, roles and keys in 1 record');
      assert.equal(fixAll(text), expected);
    });
  }

  it('a BOM kept in the text (CRLF): record 1 is fixed and the BOM stays', () => {
    const text = '\uFEFF{"messages": [{"role": "usr", "content": "a"}, {"role": "assistant", "content": " x "}]}\r\n{"messages": [{"role": "usr", "content": "b"}, {"role": "assistant", "content": "y"}]}\r\n';
    assert.equal(fixAllAction(text)?.title, 'Fix whitespace, roles and keys in 2 records');
    assert.equal(fixAll(text), '\uFEFF{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "x"}]}\r\n{"messages": [{"role": "user", "content": "b"}, {"role": "assistant", "content": "y"}]}\r\n');
  });
});
