/**
 * The preview in a real VS Code: the commands run, the panel opens on a record and shows text streamed
 * from the tiny demo model, edits regenerate, a short fine-tune sends progress to the panel, the status
 * bar and the Output channel, and the new adapter then loads and answers. Waits are on the panel's
 * messages, never fixed sleeps.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TunesmithApi } from '../../../../client/src/api';
import type { HostToPreviewMessage } from '../../../../protocol/messages';
import { EXTENSION_ID, workspaceFile } from '../helpers';

/** Resolves with the first message the host posts to the panel that `accept` takes (seen from now on). */
function waitForMessage(api: TunesmithApi, accept: (message: HostToPreviewMessage) => boolean, what: string, timeoutMs = 60_000): Promise<HostToPreviewMessage> {
  return new Promise((resolve, reject) => {
    const subscription = api.preview.onDidPostMessage((message) => {
      if (!accept(message)) return;
      subscription.dispose();
      clearTimeout(timer);
      resolve(message);
    });
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
  });
}

/** Collects the text streamed into `slot` until its generation ends. */
function streamedAnswer(api: TunesmithApi, slot: 'base' | 'adapter', timeoutMs = 60_000): Promise<{ text: string; tokens: number }> {
  return new Promise((resolve, reject) => {
    let generationId: number | undefined;
    let text = '';
    let tokens = 0;
    const subscription = api.preview.onDidPostMessage((message) => {
      if (message.type === 'generationStart' && message.slot === slot) {
        generationId = message.generationId;
        text = '';
        tokens = 0;
      } else if (message.type === 'generationToken' && message.generationId === generationId) {
        text += message.text;
        tokens++;
      } else if ((message.type === 'generationEnd' || message.type === 'generationError') && message.generationId === generationId) {
        subscription.dispose();
        clearTimeout(timer);
        if (message.type === 'generationError') reject(new Error(`generation failed: ${message.message}`));
        else resolve({ text, tokens });
      }
    });
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`timed out waiting for the ${slot} answer (so far: ${JSON.stringify(text)})`));
    }, timeoutMs);
  });
}

describe('Tunesmith preview in VS Code', function () {
  this.timeout(180_000);
  let api: TunesmithApi;
  let document: vscode.TextDocument;
  let editor: vscode.TextEditor;

  before(async () => {
    const extension = vscode.extensions.getExtension<TunesmithApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed`);
    api = await extension.activate();
    document = await vscode.workspace.openTextDocument(workspaceFile('capitals.jsonl'));
    editor = await vscode.window.showTextDocument(document);
  });

  it('registers the preview commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['tunesmith.fineTuneAndPreview', 'tunesmith.previewExample', 'tunesmith.selectModel', 'tunesmith.loadAdapter', 'tunesmith.stopTraining', 'tunesmith.exportAdapter']) {
      assert.ok(commands.includes(id), `${id} is not registered`);
    }
  });

  it('selects the built-in demo model, creating it on first use', async () => {
    const chosen = await vscode.commands.executeCommand<string | undefined>('tunesmith.selectModel', 'demo');
    assert.ok(chosen !== undefined, 'no model was chosen');
    assert.ok(fs.existsSync(path.join(chosen, 'model.safetensors')), `${chosen} has no weights`);
    assert.match(api.preview.outputText(), /demo model written to|model .*Qwen3ForCausalLM/);
  });

  it('opens the panel on a record from a code lens and streams the base model answer', async () => {
    const answer = streamedAnswer(api, 'base');
    // The host answers the webview's 'ready' with the training snapshot: proof the script ran under the CSP.
    const ready = waitForMessage(api, (message) => message.type === 'training', 'the webview to load and say ready');
    const record = waitForMessage(api, (message) => message.type === 'record' && message.record?.recordIndex === 1, 'record 2 in the panel');
    await vscode.commands.executeCommand('tunesmith.previewExample', { uri: document.uri.toString(), recordIndex: 1 });
    const shown = await record;
    assert.equal(shown.type === 'record' && shown.record?.reference, 'The capital of Italy is Rome.');
    await ready;
    const { text, tokens } = await answer;
    assert.ok(tokens > 0 && text.length > 0, 'no streamed text');
    assert.ok(api.preview.isPanelOpen());
    assert.match(api.preview.statusBarText(), /Tunesmith: tunesmith-tiny-demo/);
  });

  it('follows edits: a changed instruction regenerates the answer', async () => {
    const line = document.lineAt(0).text;
    const at = line.indexOf('France?');
    editor.selection = new vscode.Selection(0, at, 0, at);
    const updated = waitForMessage(api, (message) => message.type === 'record' && message.record?.recordIndex === 0 && message.record.turns.some((turn) => turn.content.includes('Republic of France')), 'the edited record');
    const answer = streamedAnswer(api, 'base');
    const applied = await editor.edit((edit) => edit.insert(new vscode.Position(0, at), 'the Republic of '));
    assert.ok(applied);
    await updated;
    const { tokens } = await answer;
    assert.ok(tokens > 0);
    assert.ok(api.preview.lastRoundTimings.base !== undefined, 'the round timing was recorded');
    console.log(`    keystroke -> first base token: ${api.preview.lastRoundTimings.base?.toFixed(0)} ms (debounce 50 ms)`);
    await vscode.commands.executeCommand('undo');
  });

  it('fine-tunes on the dataset with progress in the panel, status bar and output, then previews the adapter', async () => {
    const steps: number[] = [];
    const statusTexts = new Set<string>();
    const watcher = api.preview.onDidPostMessage((message) => {
      if (message.type === 'trainingEvent' && message.event.type === 'step') {
        steps.push(message.event.step);
        statusTexts.add(api.preview.statusBarText());
      }
    });
    const adapterAnswer = streamedAnswer(api, 'adapter', 120_000);
    const summary = await api.preview.fineTune(document.uri);
    watcher.dispose();
    assert.ok(summary !== undefined, `training did not finish: ${api.preview.training()?.message ?? ''}\n${api.preview.outputText().split('\n').slice(-15).join('\n')}`);
    assert.equal(summary.cancelled, false);
    assert.equal(summary.steps, 8);
    assert.deepEqual(steps, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.ok([...statusTexts].some((text) => /training \d+\/8/.test(text)), `status bar during training: ${[...statusTexts].join(' | ')}`);
    const training = api.preview.training();
    assert.equal(training?.status, 'finished');
    assert.equal(training?.trainLoss.length, 8);
    assert.ok((training?.evalLoss.length ?? 0) > 0, 'no eval loss');
    assert.match(api.preview.outputText(), /step 8\/8 epoch/);
    assert.match(api.preview.outputText(), /adapter .* loaded/);
    const { tokens } = await adapterAnswer;
    assert.ok(tokens > 0, 'the adapter did not answer');
    assert.match(api.preview.statusBarText(), /\+ \d{4}-\d\d-\d\dT/);
  });

  it('stop training cancels with the checkpoint kept, and the next fine-tune resumes from it', async () => {
    // Enough steps that the stop lands mid-run: the tiny model trains at 50+ steps/s on a fast machine.
    await vscode.workspace.getConfiguration('tunesmith.preview').update('trainingSteps', 64, vscode.ConfigurationTarget.Workspace);
    try {
      const stopped = waitForMessage(api, (message) => message.type === 'trainingEvent' && message.event.type === 'step' && message.event.step === 3, 'step 3');
      const first = api.preview.fineTune(document.uri);
      await stopped;
      assert.equal(await vscode.commands.executeCommand<boolean>('tunesmith.stopTraining'), true);
      const cancelledSummary = await first;
      const cancelled = api.preview.training();
      assert.equal(cancelled?.status, 'cancelled', `status ${cancelled?.status}: ${cancelled?.message ?? ''}`);
      assert.match(cancelled?.message ?? '', /checkpoint .*is kept in .*resumes from it/);
      assert.ok(cancelledSummary === undefined || cancelledSummary.cancelled);
      assert.match(api.preview.statusBarText(), /training cancelled/);

      const resumed = await api.preview.fineTune(document.uri);
      assert.ok(resumed !== undefined && !resumed.cancelled, `the resumed run did not finish: ${api.preview.training()?.message ?? ''}`);
      assert.equal(resumed.steps, 64);
      assert.match(api.preview.outputText(), /resuming from its checkpoint/);
      assert.match(api.preview.outputText(), /resumed at step [3-9]/);
      const points = api.preview.training()?.trainLoss ?? [];
      assert.ok((points[0]?.step ?? 0) > 3, `the resumed chart starts at step ${points[0]?.step}`);
    } finally {
      await vscode.workspace.getConfiguration('tunesmith.preview').update('trainingSteps', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('exports the adapter in PEFT format and loads it back', async () => {
    const destination = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-export-')), 'adapter');
    const exported = await vscode.commands.executeCommand<string | undefined>('tunesmith.exportAdapter', destination);
    assert.equal(exported, destination);
    assert.ok(fs.existsSync(path.join(destination, 'adapter_config.json')));
    assert.ok(fs.existsSync(path.join(destination, 'adapter_model.safetensors')));
    const loaded = await vscode.commands.executeCommand<boolean>('tunesmith.loadAdapter', destination);
    assert.equal(loaded, true);
  });

  it('a bad adapter folder gives the reason and the fix, not a stack trace', async () => {
    const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-broken-'));
    fs.writeFileSync(path.join(broken, 'adapter_config.json'), '{"r": 8, "lora_alpha": 16, "target_modules": ["q_proj"]}');
    fs.writeFileSync(path.join(broken, 'adapter_model.safetensors'), 'not safetensors');
    const state = waitForMessage(api, (message) => message.type === 'state' && message.state.modelError !== undefined, 'the adapter error in the panel');
    const loaded = await vscode.commands.executeCommand<boolean>('tunesmith.loadAdapter', broken);
    assert.equal(loaded, false);
    const shown = await state;
    const error = shown.type === 'state' ? shown.state.modelError ?? '' : '';
    assert.match(error, /Fix:/);
    assert.doesNotMatch(error, /\n\s+at /);
  });

  it('suggests instructions with the loaded model and inserts a chosen one as a new record in the file format', async () => {
    const done = waitForMessage(api, (message) => message.type === 'suggestions' && message.status !== 'working', 'the suggestions');
    const kept = await api.preview.suggestInstructions();
    const shown = await done;
    assert.ok(shown.type === 'suggestions' && shown.status === 'done', `suggestions ended with ${JSON.stringify(shown)}`);
    assert.equal(shown.type === 'suggestions' ? shown.suggestions.length : -1, kept.length);
    // The demo model has random weights, so the test inserts its own instruction through the same action.
    const linesBefore = document.lineCount;
    const versionBefore = document.version;
    assert.equal(await api.preview.insertSuggestion('Name the capital of Portugal.'), true);
    assert.equal(document.lineCount, linesBefore + 1);
    assert.ok(document.version > versionBefore);
    // It follows the record the panel shows (the first, where the edit test left the cursor).
    const insertedLine = [...Array(document.lineCount).keys()].find((line) => document.lineAt(line).text.includes('Portugal'));
    assert.equal(insertedLine, 1);
    const inserted = JSON.parse(document.lineAt(1).text) as { messages: { role: string; content: string }[] };
    assert.deepEqual(inserted.messages, [
      { role: 'system', content: 'Answer in one short sentence.' },
      { role: 'user', content: 'Name the capital of Portugal.' },
      { role: 'assistant', content: '' },
    ]);
    await vscode.commands.executeCommand('undo');
    assert.equal(document.lineCount, linesBefore);
  });

  it('numbers a record written over several lines as the language service does', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-runs-')), 'runs.jsonl');
    const record = (question: string, answer: string): { messages: { role: string; content: string }[] } => ({ messages: [{ role: 'user', content: question }, { role: 'assistant', content: answer }] });
    // A pretty-printed record pasted into the JSONL file (lines 0-11), then a one-line record (line 12).
    const pasted = JSON.stringify(record('What is the capital of Peru?', 'Lima.'), null, 2);
    fs.writeFileSync(file, `${pasted}\n${JSON.stringify(record('What is the capital of Chile?', 'Santiago.'))}\n`);
    const runs = await vscode.workspace.openTextDocument(file);
    const runsEditor = await vscode.window.showTextDocument(runs);
    try {
      const after = waitForMessage(api, (message) => message.type === 'record' && message.record?.reference === 'Santiago.', 'the record after the multi-line one');
      assert.equal(runs.lineAt(12).text.includes('Chile'), true);
      runsEditor.selection = new vscode.Selection(12, 5, 12, 5);
      const shownAfter = await after;
      assert.equal(shownAfter.type === 'record' && shownAfter.record?.recordIndex, 1);
      // The cursor inside the pasted record shows that record, not the syntax error of one of its lines.
      const inside = waitForMessage(api, (message) => message.type === 'record' && message.record?.reference === 'Lima.', 'the multi-line record');
      runsEditor.selection = new vscode.Selection(5, 4, 5, 4);
      const shownInside = await inside;
      assert.equal(shownInside.type === 'record' && shownInside.record?.recordIndex, 0);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await vscode.window.showTextDocument(document);
    }
  });

  it('stop training with nothing running says so', async () => {
    assert.equal(await vscode.commands.executeCommand<boolean>('tunesmith.stopTraining'), false);
  });
});
