/**
 * A minimal LSP client for tests: spawns the real built server (dist/server/server.js --stdio) and
 * talks JSON-RPC to it. The server answers workspace/configuration from `settings`.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

export const repositoryRoot = path.resolve(__dirname, '..', '..', '..');
export const serverBundle = path.join(repositoryRoot, 'dist', 'server', 'server.js');

export interface TestServer {
  connection: MessageConnection;
  process: ChildProcessWithoutNullStreams;
  /** Settings returned for the `tunesmith` section; mutate then call notifySettingsChanged. */
  settings: Record<string, unknown>;
  refreshRequests: number;
  /** Messages the server showed the user (window/showMessage), in order. */
  shownMessages: string[];
  /** The server's answer to initialize. */
  initializeResult: unknown;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Workspace folder URIs as the client sends them (default: the root folder's). */
  folderUris?: string[];
  /** Whether the client answers workspace/configuration (default true); without it, settings come pushed in didChangeConfiguration. */
  configuration?: boolean;
  /** Whether the client can register file watchers (default false, as before). */
  watchers?: boolean;
}

export async function startServer(rootFolder = repositoryRoot, options: StartOptions = {}): Promise<TestServer> {
  const child = spawn(process.execPath, [serverBundle, '--stdio'], { stdio: 'pipe' });
  child.stdin.on('error', () => undefined); // the server may exit while a last message is in flight
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const server: TestServer = {
    connection,
    process: child,
    settings: {},
    refreshRequests: 0,
    shownMessages: [],
    initializeResult: undefined,
    async stop() {
      const exited = new Promise<void>((resolve) => {
        if (child.exitCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
      try {
        await connection.sendRequest('shutdown');
        await connection.sendNotification('exit');
      } catch {
        // already gone
      }
      // Let the server exit on its own before closing the pipes (late writes would fail).
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
      connection.dispose();
      if (child.exitCode === null) child.kill();
    },
  };
  connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) => params.items.map(() => server.settings));
  connection.onNotification('window/showMessage', (params: { message: string }) => {
    server.shownMessages.push(params.message);
  });
  connection.onRequest('workspace/diagnostic/refresh', () => {
    server.refreshRequests++;
    return null;
  });
  connection.onRequest('client/registerCapability', () => null);
  connection.listen();
  const folderUris = options.folderUris ?? [pathToFileURL(rootFolder).href];
  const configuration = options.configuration ?? true;
  server.initializeResult = await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: folderUris[0] ?? null,
    workspaceFolders: folderUris.map((uri, index) => ({ uri, name: `folder${index}` })),
    capabilities: {
      workspace: {
        configuration,
        workspaceFolders: true,
        diagnostics: { refreshSupport: true },
        didChangeConfiguration: { dynamicRegistration: configuration },
        didChangeWatchedFiles: { dynamicRegistration: options.watchers ?? false },
      },
      // As VS Code declares: code actions' edits may be filled in later (codeAction/resolve), and disabled ones are shown with their reason.
      textDocument: { diagnostic: { dynamicRegistration: false }, synchronization: { dynamicRegistration: false }, codeAction: { resolveSupport: { properties: ['edit'] }, disabledSupport: true } },
    },
  });
  connection.sendNotification('initialized', {});
  return server;
}
