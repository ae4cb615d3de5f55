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
});
