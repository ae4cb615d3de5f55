/** Event-driven waits for the extension-host suites: no fixed sleeps, every wait has a timeout. */
import * as vscode from 'vscode';

export const EXTENSION_ID = 'tunesmith.tunesmith';

export function workspaceFile(relativePath: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (folder === undefined) throw new Error('the test workspace folder is not open');
  return vscode.Uri.joinPath(folder.uri, relativePath);
}

export function tunesmithDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === 'tunesmith');
}

/** Resolves with Tunesmith's diagnostics for `uri` once `accept` holds for them. */
export function waitForDiagnostics(
  uri: vscode.Uri,
  accept: (diagnostics: vscode.Diagnostic[]) => boolean,
  timeoutMs = 30_000,
): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const key = uri.toString();
    let finished = false;
    const finish = (): void => {
      finished = true;
      subscription.dispose();
      clearTimeout(timer);
    };
    const check = (): void => {
      if (finished) return;
      const diagnostics = tunesmithDiagnostics(uri);
      if (accept(diagnostics)) {
        finish();
        resolve(diagnostics);
      }
    };
    const subscription = vscode.languages.onDidChangeDiagnostics((event) => {
      if (event.uris.some((changed) => changed.toString() === key)) check();
    });
    const timer = setTimeout(() => {
      finish();
      const last = tunesmithDiagnostics(uri).map((d) => `${d.code === undefined ? '' : JSON.stringify(d.code)} ${d.message}`);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for diagnostics on ${key}; last: ${JSON.stringify(last)}`));
    }, timeoutMs);
    check();
  });
}

export function diagnosticCode(diagnostic: vscode.Diagnostic): { value: string | number; target?: vscode.Uri } | undefined {
  const code = diagnostic.code;
  if (code === undefined) return undefined;
  if (typeof code === 'object') return { value: code.value, target: code.target };
  return { value: code };
}

/** Resolves when a configuration change affecting `section` arrives. */
export function configurationChange(section: string, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for a change of ${section}`));
    }, timeoutMs);
    const subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(section)) {
        clearTimeout(timer);
        subscription.dispose();
        resolve();
      }
    });
  });
}
