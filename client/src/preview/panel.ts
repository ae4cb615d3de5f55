/**
 * The preview's webview panel: HTML with a strict CSP and a fresh nonce per render, resources only from
 * media/, typed messages both ways. It holds no preview logic (the controller does).
 */
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import type { HostToPreviewMessage, PreviewToHostMessage } from '../../../protocol/messages';

export const previewViewType = 'tunesmith.preview';

export function previewPanelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    // Only the bundled script and stylesheet: nothing else of the extension or workspace is readable.
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')],
    retainContextWhenHidden: true,
    enableFindWidget: true,
  };
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export function previewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, nonce: string): string {
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'dist', 'preview.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'preview.css'));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(style.toString())}">
<title>Tunesmith Preview</title>
</head>
<body>
<header id="header"></header>
<main>
<section id="training" aria-label="Training" hidden></section>
<section id="record" aria-label="Record under the cursor"></section>
<section id="answers" aria-label="Answers side by side"></section>
<section id="settings" aria-label="Generation settings"></section>
<section id="suggestions" aria-label="Suggest instructions"></section>
</main>
<script nonce="${nonce}" src="${escapeAttribute(script.toString())}"></script>
</body>
</html>`;
}

export class PreviewPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly messageEmitter = new vscode.EventEmitter<PreviewToHostMessage>();
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  /** Messages the webview sends (clicks, settings, ready). */
  readonly onMessage = this.messageEmitter.event;
  readonly onDidDispose = this.disposeEmitter.event;
  private disposed = false;

  constructor(readonly panel: vscode.WebviewPanel, private readonly extensionUri: vscode.Uri) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
    this.render();
    this.disposables.push(
      panel.webview.onDidReceiveMessage((message: PreviewToHostMessage) => {
        if (typeof message === 'object' && message !== null && typeof message.type === 'string') this.messageEmitter.fire(message);
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  static create(extensionUri: vscode.Uri, column: vscode.ViewColumn): PreviewPanel {
    const panel = vscode.window.createWebviewPanel(previewViewType, 'Tunesmith Preview', { viewColumn: column, preserveFocus: true }, previewPanelOptions(extensionUri));
    return new PreviewPanel(panel, extensionUri);
  }

  /** A fresh nonce on every render: a script from an earlier render can never run again. */
  render(): void {
    const nonce = crypto.randomBytes(18).toString('base64url');
    this.panel.webview.options = previewPanelOptions(this.extensionUri);
    this.panel.webview.html = previewHtml(this.panel.webview, this.extensionUri, nonce);
  }

  post(message: HostToPreviewMessage): void {
    if (this.disposed) return;
    void this.panel.webview.postMessage(message);
  }

  get visible(): boolean {
    return !this.disposed && this.panel.visible;
  }

  reveal(): void {
    if (!this.disposed) this.panel.reveal(undefined, true);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeEmitter.fire();
    for (const disposable of this.disposables) disposable.dispose();
    this.messageEmitter.dispose();
    this.disposeEmitter.dispose();
    this.panel.dispose();
  }
}
