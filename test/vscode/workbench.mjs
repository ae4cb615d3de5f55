// A real VS Code workbench for tests and screenshots: code-server (VS Code's workbench with a real Node
// extension host) on a free loopback port, opened in headless Chromium through playwright-core, with
// VS Code's smoke-test driver enabled so an extension under development and a test module can be
// passed in. Everything lives in a fresh temp dir; waits are on events, never fixed sleeps.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import util from 'node:util';
import { chromiumPath, codeServerEntry, node24Dir, setup } from './setup.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repositoryRoot = path.resolve(here, '..', '..');

/** Workbench chatter that says nothing about the suite (shown with TUNESMITH_VSCODE_VERBOSE=1). */
const WORKBENCH_NOISE = /ENOTFOUND open-vsx\.org|AccountPolicyGate|AgentHost|connection token|Creating a socket|\[Service Worker\]|reconnection-grace-time|builtin extensions cache|Started local extension host|\[driver\]/;

/** Quiet, deterministic workbench: no telemetry, AI features, welcome page or update checks. */
const USER_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'files.autoSave': 'off',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

export function log(message) {
  process.stdout.write(`[vscode] ${message}\n`);
}

/** The extension host's console arrives as console.log's arguments (a format string first), sometimes as JSON. */
function formatLogMessage(message) {
  let value = message;
  if (typeof value === 'string' && value.startsWith('[')) {
    try {
      value = JSON.parse(value);
    } catch {
      // a plain string that starts with a bracket
    }
  }
  const text = Array.isArray(value) ? util.format(...value) : typeof value === 'string' ? value : JSON.stringify(value);
  // Colour codes (mocha colours whatever it is told inside the extension host) only clutter a log.
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts code-server and Chromium and opens the workbench on a fresh copy of `workspace`.
 * - `extensionPath`: the extension under development;
 * - `testsModule`: a compiled suite (`run()` export) the extension host runs; `exitCode` then resolves
 *   with its exit code;
 * - `installVsix`: installed with `code-server --install-extension` before the start;
 * - `viewport`: the browser window size (for screenshots).
 * Returns { page, workspace, exitCode, close }. `close()` stops everything and removes the temp dir.
 */
export async function openWorkbench({ workspace: sourceWorkspace, extensionPath, testsModule, installVsix, viewport, keepTemp = false }) {
  setup();
  const toolsRequire = createRequire(path.join(here, 'tools', 'package.json'));
  const { chromium } = toolsRequire('playwright-core');

  const temp = mkdtempSync(path.join(os.tmpdir(), 'tunesmith-vscode-'));
  const workspace = path.join(temp, 'workspace');
  // A fresh copy, without caches a demo or an earlier run left behind.
  cpSync(sourceWorkspace, workspace, { recursive: true, filter: (source) => !/[\\/](\.tunesmith-cache|node_modules)$/.test(source) });
  const userDataDir = path.join(temp, 'ud');
  const extensionsDir = path.join(temp, 'ext');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  writeFileSync(path.join(temp, 'config.yaml'), 'auth: none\n');
  const environment = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(temp, 'xdg-config'),
    XDG_DATA_HOME: path.join(temp, 'xdg-data'),
    XDG_CACHE_HOME: path.join(temp, 'xdg-cache'),
    TMPDIR: path.join(temp, 'tmp'),
    PATH: `${path.join(node24Dir, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`,
  };
  for (const folder of ['xdg-config', 'xdg-data', 'xdg-cache', 'tmp']) mkdirSync(path.join(temp, folder), { recursive: true });
  const node24 = path.join(node24Dir, 'bin', 'node');
  const commonArgs = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--config', path.join(temp, 'config.yaml')];

  let server;
  let browser;
  let serverOutput = '';
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await browser?.close().catch(() => undefined);
    if (server && server.exitCode === null && server.signalCode === null) {
      const gone = new Promise((resolve) => server.once('exit', resolve));
      killGroup(server.pid, 'SIGTERM');
      await withTimeout(gone, 10_000, 'code-server to stop').catch(() => killGroup(server.pid, 'SIGKILL'));
    }
    if (keepTemp) log(`kept ${temp}`);
    else rmSync(temp, { recursive: true, force: true, maxRetries: 3 });
  };

  try {
    if (installVsix) {
      log(`installing ${path.basename(installVsix)} with code-server --install-extension`);
      const output = await withTimeout(runToCompletion(node24, [codeServerEntry, ...commonArgs, '--install-extension', installVsix], environment), 120_000, 'the VSIX install');
      log(output.trim().split('\n').filter((line) => /install/i.test(line)).join('\n') || 'installed');
    }

    const port = await freePort();
    server = spawn(
      node24,
      [
        codeServerEntry,
        ...commonArgs,
        '--auth', 'none',
        '--bind-addr', `127.0.0.1:${port}`,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--vscode-option', 'enable-smoke-test-driver',
        workspace,
      ],
      // Its own process group, so that stopping it also stops the extension host and language server.
      { env: environment, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    const serverExited = new Promise((_, reject) => {
      server.once('exit', (code) => reject(new Error(`code-server exited with ${code}:\n${serverOutput.slice(-4000)}`)));
    });
    serverExited.catch(() => undefined);
    const listening = new Promise((resolve) => {
      const onData = (chunk) => {
        serverOutput += chunk;
        if (serverOutput.includes('HTTP server listening')) resolve();
      };
      server.stdout.on('data', onData);
      server.stderr.on('data', onData);
    });
    await withTimeout(Promise.race([listening, serverExited]), 60_000, 'code-server to listen');
    log(`code-server listening on 127.0.0.1:${port}`);

    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    const page = await browser.newPage(viewport ? { viewport } : {});
    let resolveExit;
    const exited = new Promise((resolve) => (resolveExit = resolve));
    await page.exposeFunction('codeAutomationLog', (_level, message) => {
      const text = formatLogMessage(message);
      if (process.env.TUNESMITH_VSCODE_VERBOSE || !WORKBENCH_NOISE.test(text)) process.stdout.write(`${text}\n`);
    });
    await page.exposeFunction('codeAutomationExit', (code, logs) => {
      if (code !== 0 && Array.isArray(logs)) {
        const logDir = path.join(repositoryRoot, 'out', 'vscode-logs');
        mkdirSync(logDir, { recursive: true });
        for (const entry of logs) writeFileSync(path.join(logDir, entry.relativePath.replace(/[\\/]/g, '_')), entry.contents);
        log(`workbench logs written to ${logDir}`);
      }
      resolveExit(code);
    });
    const authority = `127.0.0.1:${port}`;
    const payload = [['extensionDevelopmentPath', `vscode-remote://${authority}${extensionPath}`], ['skipWelcome', 'true']];
    if (testsModule) payload.push(['extensionTestsPath', `vscode-remote://${authority}${testsModule}`]);
    await page.goto(`http://${authority}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    log(testsModule ? 'workbench opened; running the suite in the extension host' : 'workbench opened');
    return { page, workspace, exitCode: Promise.race([exited, serverExited]), close };
  } catch (error) {
    if (serverOutput && !(error instanceof Error && error.message.includes(serverOutput.slice(-200)))) {
      process.stderr.write(`[vscode] code-server output:\n${serverOutput.slice(-4000)}\n`);
    }
    await close();
    throw error;
  }
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Runs a command to completion, resolving with its output (used for --install-extension). */
function runToCompletion(command, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${path.basename(args[0] ?? command)} ${args.slice(-2).join(' ')} exited with ${code}:\n${output}`))));
  });
}
