/**
 * Runs in a VS Code where Tunesmith was installed from its VSIX (`--install-extension`), not loaded
 * from the repository: the packaged extension activates, its bundled language server answers, and the
 * onnxruntime binary it ships for this platform loads.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TunesmithApi } from '../../../../client/src/api';
import { diagnosticCode, EXTENSION_ID, waitForDiagnostics, workspaceFile } from '../helpers';

describe('Tunesmith installed from its VSIX', () => {
  it('is installed from the extensions folder, not the repository', () => {
    const extension = vscode.extensions.getExtension<TunesmithApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed`);
    const repositoryRoot = path.resolve(__dirname, '..', '..', '..', '..', '..');
    assert.ok(!extension.extensionPath.startsWith(repositoryRoot), `${extension.extensionPath} is the repository, not the installed VSIX`);
    console.log(`    installed at ${extension.extensionPath}`);
  });

  it('activates on a JSONL file and lints it with the bundled server', async () => {
    const extension = vscode.extensions.getExtension<TunesmithApi>(EXTENSION_ID);
    assert.ok(extension);
    const uri = workspaceFile('broken.jsonl');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const api = await extension.activate();
    assert.ok(extension.isActive);
    console.log(`    activation (installed VSIX): ${api.activationTimeMs.toFixed(2)} ms inside activate()`);
    const diagnostics = await waitForDiagnostics(uri, (found) => found.some((d) => diagnosticCode(d)?.value === 'invalid-json'));
    assert.equal(diagnostics.filter((d) => diagnosticCode(d)?.value === 'invalid-json').length, 1);
  });

  it('ships an onnxruntime binary that loads on this platform', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    const onnxruntimePath = path.join(extension.extensionPath, 'node_modules', 'onnxruntime-node');
    const onnxruntime = require(onnxruntimePath) as { InferenceSession?: { create?: unknown }; env?: { versions?: Record<string, string> } };
    assert.equal(typeof onnxruntime.InferenceSession?.create, 'function');
  });

  it('runs the packaged model engine: the demo model answers in the preview', async function () {
    this.timeout(180_000);
    const extension = vscode.extensions.getExtension<TunesmithApi>(EXTENSION_ID);
    assert.ok(extension);
    const api = await extension.activate();
    const model = await vscode.commands.executeCommand<string | undefined>('tunesmith.selectModel', 'demo');
    assert.ok(model !== undefined, 'the demo model was not created');
    const document = await vscode.workspace.openTextDocument(workspaceFile('chat.jsonl'));
    await vscode.window.showTextDocument(document);
    const tokens = new Promise<number>((resolve, reject) => {
      let generationId: number | undefined;
      let count = 0;
      const timer = setTimeout(() => {
        subscription.dispose();
        reject(new Error('timed out waiting for the base model answer'));
      }, 120_000);
      const subscription = api.preview.onDidPostMessage((message) => {
        if (message.type === 'generationStart' && message.slot === 'base') generationId = message.generationId;
        else if (message.type === 'generationToken' && message.generationId === generationId) count += 1;
        else if ((message.type === 'generationEnd' || message.type === 'generationError') && message.generationId === generationId) {
          clearTimeout(timer);
          subscription.dispose();
          if (message.type === 'generationError') reject(new Error(`generation failed: ${message.message}`));
          else resolve(count);
        }
      });
    });
    await vscode.commands.executeCommand('tunesmith.previewExample', { uri: document.uri.toString(), recordIndex: 0 });
    assert.ok((await tokens) > 0, 'the demo model streamed no tokens');
  });
});
