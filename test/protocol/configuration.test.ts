/**
 * Configuration over the real server: where the config file is looked up, which workspace folders
 * the server knows, and what it says about the settings in use.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { lintFiles } from '../../server/src/service/files';
import { serverBundle, startServer, type StartOptions, type TestServer } from './lspClient';

interface Diagnostic {
  severity: number;
  code: string;
  message: string;
  range: { start: { line: number; character: number } };
}

const skip = existsSync(serverBundle) ? false : 'run `npm run build` first';

const chat = (user: string, assistant: string): string => JSON.stringify({ messages: [{ role: 'user', content: user }, { role: 'assistant', content: assistant }] });

/** Twelve distinct records; the third ends its answer with spaces (whitespace, a warning by default). */
function dataset(): string {
  const lines = Array.from({ length: 12 }, (_, index) => chat(`Question ${index}: what is ${index * 7 + 3} plus ${index + 11}?`, `It is ${index * 8 + 14}, adding the two numbers.`));
  lines[2] = chat('Where is the trailing space here?', 'Right here.   ');
  return `${lines.join('\n')}\n`;
}


async function pull(server: TestServer, uri: string): Promise<Diagnostic[]> {
  const report = (await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { kind: string; items: Diagnostic[] };
  return report.items;
}

function writeFile(folder: string, relative: string, text: string): string {
  const file = path.join(folder, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return pathToFileURL(file).href;
}

/** Opens a document, pulls its diagnostics, closes it. */
async function lintOpened(server: TestServer, uri: string, text: string): Promise<Diagnostic[]> {
  server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: uri.endsWith('.json') ? 'json' : 'jsonl', version: 1, text } });
  try {
    return await pull(server, uri);
  } finally {
    server.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }
}

/** A temporary folder (not in a repository) and a server whose workspace folder is `opened` inside it. */
async function withServer(opened: string, run: (root: string, server: TestServer) => Promise<void>, options: (root: string) => StartOptions = () => ({})): Promise<void> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'tunesmith-config-'));
  mkdirSync(path.join(root, opened), { recursive: true });
  const server = await startServer(path.join(root, opened), options(root));
  try {
    await run(root, server);
  } finally {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const severities = (items: Diagnostic[], code: string): number[] => items.filter((item) => item.code === code).map((item) => item.severity);

describe('configuration over LSP', { skip }, () => {
  it('applies a config file above the workspace folder (a monorepo subfolder opened), as `tunesmith lint` run in that folder finds it', async () => {
    await withServer('ml', async (root, server) => {
      writeFileSync(path.join(root, 'tunesmith.json'), JSON.stringify({ rules: { whitespace: 'error' } }));
      const uri = writeFile(root, 'ml/data.jsonl', dataset());
      assert.deepEqual(severities(await lintOpened(server, uri, dataset()), 'whitespace'), [1]);
      const cli = await lintFiles([], { cwd: path.join(root, 'ml') });
      assert.deepEqual(cli.files[0]?.diagnostics.filter((item) => item.rule === 'whitespace').map((item) => item.severity), ['error']);
    });
  });

  it('does not look above the repository root (a folder with .git) for a config file, in the editor as in the CLI', async () => {
    await withServer('repo/ml', async (root, server) => {
      writeFileSync(path.join(root, 'tunesmith.json'), JSON.stringify({ rules: { whitespace: 'error' } }));
      mkdirSync(path.join(root, 'repo', '.git'));
      const uri = writeFile(root, 'repo/ml/data.jsonl', dataset());
      assert.deepEqual(severities(await lintOpened(server, uri, dataset()), 'whitespace'), [2]);
      const cli = await lintFiles([], { cwd: path.join(root, 'repo', 'ml') });
      assert.deepEqual(cli.files[0]?.diagnostics.filter((item) => item.rule === 'whitespace').map((item) => item.severity), ['warning']);
    });
  });

  it('matches a folder URI with a trailing slash as the same folder without it (its "files" setting applies)', async () => {
    const text = JSON.stringify([{ messages: [{ role: 'usr', content: 'Hi' }, { role: 'assistant', content: 'Hello.' }] }]);
    for (const slash of ['/', '']) {
      await withServer('proj', async (root, server) => {
        server.settings = { files: ['data/*.json'], minExamples: 0 };
        const uri = writeFile(root, 'proj/data/x.json', text);
        const items = await lintOpened(server, uri, text);
        assert.deepEqual(items.map((item) => [item.code, item.range.start.line, item.range.start.character]), [['unknown-role', 0, 22]], `folder URI ending with '${slash}'`);
      }, (root) => ({ folderUris: [`${pathToFileURL(path.join(root, 'proj')).href}${slash}`] }));
    }
  });

  it('declares workspace folder change notifications and applies a folder added later (its "files" globs, relative to it)', async () => {
    await withServer('one', async (root, server) => {
      const capabilities = server.initializeResult as { capabilities: { workspace?: { workspaceFolders?: { supported?: boolean; changeNotifications?: unknown } } } };
      assert.deepEqual(capabilities.capabilities.workspace?.workspaceFolders, { supported: true, changeNotifications: true });
      server.settings = { files: ['data/*.json'], minExamples: 0 };
      const text = JSON.stringify([{ messages: [{ role: 'usr', content: 'Hi' }, { role: 'assistant', content: 'Hello.' }] }]);
      const uri = writeFile(root, 'two/data/x.json', text);
      // Outside every folder, "data/*.json" is matched against the whole path: not a dataset.
      assert.deepEqual(await lintOpened(server, uri, text), []);
      server.connection.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [{ uri: pathToFileURL(path.join(root, 'two')).href, name: 'two' }], removed: [] } });
      await sleep(100);
      assert.deepEqual((await lintOpened(server, uri, text)).map((item) => item.code), ['unknown-role']);
      server.connection.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [], removed: [{ uri: pathToFileURL(path.join(root, 'two')).href, name: 'two' }] } });
      await sleep(100);
      assert.deepEqual(await lintOpened(server, uri, text), []);
    });
  });

  it('says in the editor which of tunesmith.json and .tunesmithrc.json in one folder is used, and that the other is ignored', async () => {
    await withServer('proj', async (root, server) => {
      writeFileSync(path.join(root, 'proj', 'tunesmith.json'), JSON.stringify({ rules: { whitespace: 'error' } }));
      writeFileSync(path.join(root, 'proj', '.tunesmithrc.json'), JSON.stringify({ rules: { whitespace: 'off' } }));
      const uri = writeFile(root, 'proj/data.jsonl', dataset());
      assert.deepEqual(severities(await lintOpened(server, uri, dataset()), 'whitespace'), [1]);
      const folder = path.join(root, 'proj');
      assert.deepEqual(server.shownMessages, [`Tunesmith: ${path.join(folder, '.tunesmithrc.json')} is ignored: ${path.join(folder, 'tunesmith.json')} beside it is used (one config file per folder; merge them into tunesmith.json)`]);
    });
  });

  it('uses the settings a client without workspace/configuration pushes in didChangeConfiguration', async () => {
    await withServer('proj', async (root, server) => {
      const uri = writeFile(root, 'proj/data.jsonl', dataset());
      assert.deepEqual(severities(await lintOpened(server, uri, dataset()), 'whitespace'), [2]);
      server.connection.sendNotification('workspace/didChangeConfiguration', { settings: { tunesmith: { rules: { whitespace: 'error' }, maxTokens: 10 } } });
      await sleep(100);
      const items = await lintOpened(server, uri, dataset());
      assert.deepEqual(severities(items, 'whitespace'), [1]);
      assert.equal(severities(items, 'too-long').length, 12);
      // Pushed again without the section: back to the defaults.
      server.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
      await sleep(100);
      assert.deepEqual(severities(await lintOpened(server, uri, dataset()), 'whitespace'), [2]);
    }, () => ({ configuration: false }));
  });

  it('sees a tunesmith.json created on disk while a file is open, for a client that cannot register file watchers', async () => {
    await withServer('proj', async (root, server) => {
      const uri = writeFile(root, 'proj/data/data.jsonl', dataset());
      server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'jsonl', version: 1, text: dataset() } });
      assert.deepEqual(severities(await pull(server, uri), 'whitespace'), [2]);
      writeFileSync(path.join(root, 'proj', 'tunesmith.json'), JSON.stringify({ rules: { whitespace: 'error' } }));
      await sleep(500);
      assert.deepEqual(severities(await pull(server, uri), 'whitespace'), [1]);
      writeFileSync(path.join(root, 'proj', 'data', '.tunesmithrc.json'), JSON.stringify({ rules: { whitespace: 'hint' } }));
      await sleep(500);
      assert.deepEqual(severities(await pull(server, uri), 'whitespace'), [4]);
    }, () => ({ watchers: false }));
  });

  it('sees a config file created above the workspace folder (which the client does not watch), for a client that watches the folder', async () => {
    await withServer('proj', async (root, server) => {
      const uri = writeFile(root, 'proj/data.jsonl', dataset());
      server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'jsonl', version: 1, text: dataset() } });
      assert.deepEqual(severities(await pull(server, uri), 'whitespace'), [2]);
      writeFileSync(path.join(root, 'tunesmith.json'), JSON.stringify({ rules: { whitespace: 'error' } }));
      await sleep(500);
      assert.deepEqual(severities(await pull(server, uri), 'whitespace'), [1]);
    }, () => ({ watchers: true }));
  });
});
