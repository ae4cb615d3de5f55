/**
 * The extension inside a real VS Code: activation cost, which files start the language server, the
 * `invalid-json` diagnostic end to end (exact range, rule id, docs link), the statistics command and status-bar item, and
 * the editor features through VS Code's own providers: a quick fix, hover, the outline, fix-all and a
 * whole-file conversion (edits filled in through codeAction/resolve).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { TunesmithApi } from '../../../../client/src/api';
import type { DatasetStatistics } from '../../../../protocol/messages';
import { configurationChange, diagnosticCode, EXTENSION_ID, tunesmithDiagnostics, waitForDiagnostics, workspaceFile } from '../helpers';

describe('Tunesmith in VS Code', () => {
  let api: TunesmithApi;

  it('activates without starting the language server, and prints its activation time', async () => {
    const extension = vscode.extensions.getExtension<TunesmithApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed in this VS Code`);
    // The workbench itself may already have activated it: any JSON model (settings.json ...) fires onLanguage:json.
    api = await extension.activate();
    // What the extension host pays before activate(): loading the bundle. Timed on fresh copies of the module,
    // the best of three (the first may read the file from disk). Printed, not asserted: a figure for the
    // closing note (target < 100 ms), which a busy CI machine must not turn into a failure.
    const bundle = require.resolve(path.join(extension.extensionPath, 'dist', 'client', 'extension.js'));
    const cached = require.cache[bundle];
    let loadMs = Infinity;
    for (let round = 0; round < 3; round++) {
      delete require.cache[bundle];
      const loadStart = performance.now();
      const reloaded = require(bundle) as { activate?: unknown };
      loadMs = Math.min(loadMs, performance.now() - loadStart);
      assert.equal(typeof reloaded.activate, 'function');
    }
    if (cached !== undefined) require.cache[bundle] = cached;
    const totalMs = loadMs + api.activationTimeMs;
    console.log(`    activation: ${api.activationTimeMs.toFixed(2)} ms in activate() + ${loadMs.toFixed(2)} ms loading the bundle = ${totalMs.toFixed(2)} ms (target < 100 ms)`);
    assert.equal(api.isLanguageServerStarted(), false, 'the language server waits for a dataset');
  });

  it('does not start the language server for JSON configuration files', async () => {
    for (const file of ['package.json', 'config/settings-like.json']) {
      const document = await vscode.workspace.openTextDocument(workspaceFile(file));
      await vscode.window.showTextDocument(document);
      assert.equal(document.languageId, 'json');
    }
    assert.equal(api.isLanguageServerStarted(), false);
    const statistics = await vscode.commands.executeCommand<DatasetStatistics | undefined>('tunesmith.showStatistics');
    assert.equal(statistics, undefined, 'a configuration file has no dataset statistics');
  });

  it('reports a JSONL line that is not valid JSON at the bad token', async () => {
    const uri = workspaceFile('broken.jsonl');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    assert.equal(document.languageId, 'jsonl');
    const diagnostics = await waitForDiagnostics(uri, (found) => found.some((d) => diagnosticCode(d)?.value === 'invalid-json'));
    assert.ok(api.isLanguageServerStarted());
    const invalid = diagnostics.filter((d) => diagnosticCode(d)?.value === 'invalid-json');
    assert.equal(invalid.length, 1, `one broken line, got ${JSON.stringify(invalid.map((d) => d.message))}`);
    const [diagnostic] = invalid;
    assert.ok(diagnostic);
    // Line 2 misses the comma before "content": the bad token is that string, not the whole line.
    const line = document.lineAt(1).text;
    const column = line.indexOf('"content": "Blue."');
    assert.ok(column > 0);
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    assert.deepEqual(
      [diagnostic.range.start.line, diagnostic.range.start.character, diagnostic.range.end.line, diagnostic.range.end.character],
      [1, column, 1, column + '"content"'.length],
    );
    const target = diagnosticCode(diagnostic)?.target;
    assert.ok(target, 'the diagnostic links to its rule page');
    assert.match(target.toString(), /docs\/rules\/invalid-json\.md$/);
  });

  it('clears the diagnostic once the line is fixed', async () => {
    const uri = workspaceFile('broken.jsonl');
    const document = await vscode.workspace.openTextDocument(uri);
    const line = document.lineAt(1);
    const at = line.text.indexOf(' "content": "Blue."');
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(1, at), ',');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitForDiagnostics(uri, (found) => !found.some((d) => diagnosticCode(d)?.value === 'invalid-json'));
    assert.deepEqual(tunesmithDiagnostics(uri).filter((d) => diagnosticCode(d)?.value === 'invalid-json'), []);
  });

  describe('editor features on editing.jsonl (edited in memory, reverted at the end)', () => {
    const uri = (): vscode.Uri => workspaceFile('editing.jsonl');
    let document: vscode.TextDocument;
    const codeActions = (range: vscode.Range, kind: vscode.CodeActionKind, resolveCount = 0): Thenable<vscode.CodeAction[]> =>
      vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri(), range, kind.value, resolveCount);

    before(async () => {
      document = await vscode.workspace.openTextDocument(uri());
      await vscode.window.showTextDocument(document);
    });
    after(async () => {
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });

    it('applies the quick fix of a misspelt role, and the diagnostic goes away', async () => {
      const diagnostics = await waitForDiagnostics(uri(), (found) => found.some((d) => diagnosticCode(d)?.value === 'unknown-role'));
      const role = diagnostics.find((d) => diagnosticCode(d)?.value === 'unknown-role');
      assert.ok(role);
      assert.equal(document.getText(role.range), '"asistant"');
      const fix = (await codeActions(role.range, vscode.CodeActionKind.QuickFix)).find((action) => action.title === 'Replace role with "assistant"');
      assert.ok(fix?.edit, 'VS Code lists the quick fix with its edit');
      assert.ok(await vscode.workspace.applyEdit(fix.edit));
      assert.equal(document.getText(new vscode.Range(role.range.start, role.range.end.translate(0, 1))), '"assistant"');
      await waitForDiagnostics(uri(), (found) => !found.some((d) => diagnosticCode(d)?.value === 'unknown-role'));
    });

    it('hovers a record with its turns and token counts', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri(), new vscode.Position(1, 5));
      const text = hovers.flatMap((hover) => hover.contents.map((content) => (typeof content === 'string' ? content : content.value))).join('\n');
      assert.match(text, /\*\*Record 2\*\* · OpenAI chat · 2 turns/);
      assert.match(text, /Tokens: ~\d+ total, ~\d+ trainable/);
      assert.match(text, /Name the red planet/);
    });

    it('outlines the records by their first user words', async () => {
      const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri());
      assert.deepEqual(symbols.map((symbol) => symbol.name), ['1: How do tides work on Earth?', '2: Name the red planet', '3: Which ocean is the largest?']);
      assert.deepEqual(symbols.map((symbol) => symbol.range.start.line), [0, 1, 2]);
    });

    it('fixes all whitespace, role and key problems through a resolved source action', async () => {
      await waitForDiagnostics(uri(), (found) => found.some((d) => diagnosticCode(d)?.value === 'whitespace'));
      const start = new vscode.Range(0, 0, 0, 0);
      const fixAll = (await codeActions(start, vscode.CodeActionKind.SourceFixAll, 10)).find((action) => action.kind?.value === 'source.fixAll.tunesmith');
      assert.ok(fixAll?.edit, 'the fix-all action, with its edit filled in by codeAction/resolve');
      assert.ok(await vscode.workspace.applyEdit(fixAll.edit));
      assert.equal(document.lineAt(1).text, '{"messages": [{"role": "user", "content": "Name the red planet"}, {"role": "assistant", "content": "Mars"}]}');
      await waitForDiagnostics(uri(), (found) => !found.some((d) => diagnosticCode(d)?.value === 'whitespace'));
    });

    it('converts the whole file to ShareGPT', async () => {
      const actions = await codeActions(new vscode.Range(0, 0, 0, 0), vscode.CodeActionKind.Refactor, 10);
      const convert = actions.find((action) => action.title.startsWith('Convert the whole file to ShareGPT'));
      assert.ok(convert?.edit, actions.map((action) => action.title).join(', '));
      assert.ok(await vscode.workspace.applyEdit(convert.edit));
      const records = document.getText().trim().split('\n').map((line) => JSON.parse(line) as { conversations?: { from: string; value: string }[] });
      assert.deepEqual(records.map((record) => record.conversations?.map((turn) => turn.from)), [['human', 'gpt'], ['human', 'gpt'], ['human', 'gpt']]);
      assert.equal(records[2]?.conversations?.[1]?.value, 'The Pacific.');
    });
  });

  it('shows the statistics of the active JSONL dataset', async () => {
    const document = await vscode.workspace.openTextDocument(workspaceFile('chat.jsonl'));
    await vscode.window.showTextDocument(document);
    const statistics = await vscode.commands.executeCommand<DatasetStatistics | undefined>('tunesmith.showStatistics');
    assert.ok(statistics, 'the command returns the statistics');
    assert.equal(statistics.records, 3);
    assert.equal(statistics.format, 'openai-chat');
    assert.equal(statistics.invalidRecords, 0);
    assert.equal(statistics.turns, 7);
  });

  it('shows the active dataset\'s statistics in the status bar, refreshed after an edit, and hides them for other files', async () => {
    const document = await vscode.workspace.openTextDocument(workspaceFile('chat.jsonl'));
    await vscode.window.showTextDocument(document);
    const shown = await waitForStatus(api, (text) => text !== undefined && /3 records/.test(text));
    assert.match(shown ?? '', /^\$\(database\) 3 records · p90 ~\d+ tokens$/);
    // A fourth record, copied from the first: one more record and a duplicate.
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, new vscode.Position(document.lineCount, 0), `${document.lineAt(0).text}\n`);
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.match((await waitForStatus(api, (text) => text !== undefined && /4 records/.test(text))) ?? '', /4 records · p90 ~\d+ tokens · 1 duplicate$/);
    await vscode.commands.executeCommand('undo');
    await waitForStatus(api, (text) => text !== undefined && /3 records/.test(text));
    const config = await vscode.workspace.openTextDocument(workspaceFile('package.json'));
    await vscode.window.showTextDocument(config);
    assert.equal(await waitForStatus(api, (text) => text === undefined), undefined);
  });

  it('lints a dataset over VS Code\'s 50 MB sync limit from disk once its tab opens, with its statistics', async function () {
    this.timeout(120_000);
    const record = (index: number, role = 'assistant'): string => JSON.stringify({ messages: [{ role: 'user', content: `Question ${index}: ${'filler '.repeat(60).trim()}` }, { role, content: `Answer ${index}: ${'words '.repeat(80).trim()}` }] });
    const lines = [record(0), '{"messages": [{"role": "user" "content": "no comma"}]}'];
    let bytes = lines[0].length + lines[1].length + 2;
    while (bytes < 51 * 1024 * 1024) {
      const line = record(lines.length);
      lines.push(line);
      bytes += line.length + 1;
    }
    lines.push(record(lines.length, 'asistant'));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-large-')), 'large.jsonl');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const uri = vscode.Uri.file(file);
    try {
      const linted = waitForDiagnostics(uri, (found) => found.some((d) => diagnosticCode(d)?.value === 'unknown-role'), 110_000);
      await vscode.commands.executeCommand('vscode.open', uri);
      const diagnostics = await linted;
      assert.equal(vscode.workspace.textDocuments.some((document) => document.uri.fsPath === file), false, 'VS Code shared the file with extensions after all');
      const invalid = diagnostics.find((d) => diagnosticCode(d)?.value === 'invalid-json');
      const badToken = (lines[1] ?? '').indexOf('"content"');
      assert.deepEqual(invalid && [invalid.range.start.line, invalid.range.start.character], [1, badToken]);
      const role = diagnostics.find((d) => diagnosticCode(d)?.value === 'unknown-role');
      const roleColumn = (lines[lines.length - 1] ?? '').indexOf('"asistant"');
      assert.deepEqual(role && [role.range.start.line, role.range.start.character, role.range.end.character], [lines.length - 1, roleColumn, roleColumn + 10]);
      const statistics = await vscode.commands.executeCommand<DatasetStatistics | undefined>('tunesmith.showStatistics', uri);
      assert.equal(statistics?.records, lines.length);
      assert.equal(statistics?.invalidRecords, 1);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
    // The tab is gone: so are its diagnostics.
    await waitForDiagnostics(uri, (found) => found.length === 0, 20_000);
  });

  it('treats a JSON array of records as a dataset', async () => {
    const document = await vscode.workspace.openTextDocument(workspaceFile('sharegpt.json'));
    await vscode.window.showTextDocument(document);
    const statistics = await vscode.commands.executeCommand<DatasetStatistics | undefined>('tunesmith.showStatistics');
    assert.ok(statistics);
    assert.equal(statistics.records, 2);
    assert.equal(statistics.format, 'sharegpt');
  });

  it('reads a JSON file that holds its records under one key, and says where trainers need them', async () => {
    const uri = workspaceFile('under-key.json');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const statistics = await vscode.commands.executeCommand<DatasetStatistics | undefined>('tunesmith.showStatistics');
    assert.equal(statistics?.records, 2);
    assert.equal(statistics?.format, 'alpaca');
    const diagnostics = await waitForDiagnostics(uri, (found) => found.some((d) => diagnosticCode(d)?.value === 'records-under-key'));
    const note = diagnostics.find((d) => diagnosticCode(d)?.value === 'records-under-key');
    assert.equal(note?.severity, vscode.DiagnosticSeverity.Information);
    assert.equal(note && document.getText(note.range), '"data"');
  });

  it('checks tunesmith.json against its schema in the editor', async () => {
    const uri = workspaceFile('schema-check/tunesmith.json');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    // VS Code's JSON language service validates with the schema the extension contributes.
    const problems = await new Promise<vscode.Diagnostic[]>((resolve, reject) => {
      const check = (): boolean => {
        const found = vscode.languages.getDiagnostics(uri);
        if (found.length < 2) return false;
        subscription.dispose();
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const subscription = vscode.languages.onDidChangeDiagnostics(() => void check());
      const timer = setTimeout(() => {
        subscription.dispose();
        reject(new Error(`no schema diagnostics on tunesmith.json: ${JSON.stringify(vscode.languages.getDiagnostics(uri).map((d) => d.message))}`));
      }, 30_000);
      check();
    });
    const at = (text: string): vscode.Diagnostic | undefined => problems.find((d) => document.getText(d.range) === text);
    assert.ok(at('"lots"'), `maxTokens must be a number: ${JSON.stringify(problems.map((d) => [document.getText(d.range), d.message]))}`);
    assert.ok(at('"warnin"'), `a severity outside the enum: ${JSON.stringify(problems.map((d) => [document.getText(d.range), d.message]))}`);
  });

  it('follows the tunesmith.files globs', async () => {
    const document = await vscode.workspace.openTextDocument(workspaceFile('sharegpt.json'));
    await vscode.window.showTextDocument(document);
    // Written as a user would, in the workspace's .vscode/settings.json; VS Code reloads it and says so.
    const settingsFile = workspaceFile('.vscode/settings.json');
    const writeSettings = async (content: unknown): Promise<void> => {
      const changed = configurationChange('tunesmith.files');
      await vscode.workspace.fs.writeFile(settingsFile, Buffer.from(JSON.stringify(content)));
      await changed;
    };
    await writeSettings({ 'tunesmith.files': ['**/*.jsonl'] });
    try {
      const statistics = await vscode.commands.executeCommand<DatasetStatistics | undefined>('tunesmith.showStatistics');
      assert.equal(statistics, undefined, 'a JSON file outside the globs is not a dataset');
    } finally {
      await writeSettings({});
    }
    const statistics = await vscode.commands.executeCommand<DatasetStatistics | undefined>('tunesmith.showStatistics');
    assert.equal(statistics?.records, 2, 'back to a dataset once the globs include it again');
  });
});

/** Resolves with the statistics status text once `accept` takes it (checked now and after each refresh). */
function waitForStatus(api: TunesmithApi, accept: (text: string | undefined) => boolean, timeoutMs = 20_000): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    if (accept(api.statisticsStatusText())) return resolve(api.statisticsStatusText());
    const subscription = api.onDidUpdateStatisticsStatus((text) => {
      if (!accept(text)) return;
      subscription.dispose();
      clearTimeout(timer);
      resolve(text);
    });
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`the statistics status is still ${JSON.stringify(api.statisticsStatusText())}`));
    }, timeoutMs);
  });
}
