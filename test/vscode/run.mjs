#!/usr/bin/env node
// Runs a mocha suite inside a real VS Code (code-server's workbench + Node extension host), driven by
// headless Chromium through VS Code's smoke-test driver. Everything lives in a fresh temp dir; waits
// are on events (server output, the extension host's exit), never fixed sleeps.
//
//   node test/vscode/run.mjs --tests out/test/vscode/suites/extension/index.js --workspace test/fixtures/vscode/workspace
//        [--extension .] [--install-vsix tunesmith.vsix] [--timeout 240]
//
// --extension is the extension under development (default: the repository root); --install-vsix
// installs a packaged extension with `code-server --install-extension` first. Exit code: the suite's.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import util, { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { chromiumPath, codeServerEntry, node24Dir, setup } from './setup.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repositoryRoot = path.resolve(here, '..', '..');

const { values: options } = parseArgs({
  options: {
    tests: { type: 'string' },
    workspace: { type: 'string' },
    extension: { type: 'string', default: repositoryRoot },
    'install-vsix': { type: 'string' },
    timeout: { type: 'string', default: '240' },
    'keep-temp': { type: 'boolean', default: false },
  },
});
if (!options.tests || !options.workspace) {
  process.stderr.write('usage: run.mjs --tests <compiled suite index.js> --workspace <folder> [--extension <dir>] [--install-vsix <file>]\n');
  process.exit(2);
}
const testsModule = path.resolve(options.tests);
const extensionPath = path.resolve(options.extension);
const timeoutMs = Number(options.timeout) * 1000;
for (const required of [testsModule, path.resolve(options.workspace), path.join(extensionPath, 'package.json')]) {
  if (!existsSync(required)) {
    process.stderr.write(`run.mjs: ${required} does not exist (did the build and the tsc compile run?)\n`);
    process.exit(2);
  }
}

setup();
const require = createRequire(path.join(here, 'tools', 'package.json'));
const { chromium } = require('playwright-core');

const temp = mkdtempSync(path.join(os.tmpdir(), 'tunesmith-vscode-'));
const workspace = path.join(temp, 'workspace');
cpSync(path.resolve(options.workspace), workspace, { recursive: true });
const userDataDir = path.join(temp, 'ud');
const extensionsDir = path.join(temp, 'ext');
mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
mkdirSync(extensionsDir, { recursive: true });
// Quiet, deterministic workbench: no telemetry, AI features, welcome page or update checks.
writeFileSync(
  path.join(userDataDir, 'User', 'settings.json'),
  JSON.stringify(
    {
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
    },
    null,
    2,
  ),
);
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

function log(message) {
  process.stdout.write(`[vscode] ${message}\n`);
}

/** Runs code-server to completion (used for --install-extension). */
function runCodeServer(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(node24, [codeServerEntry, ...commonArgs, ...args], { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`code-server ${args.join(' ')} exited with ${code}:\n${output}`))));
  });
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

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Workbench chatter that says nothing about the suite (shown with TUNESMITH_VSCODE_VERBOSE=1). */
const WORKBENCH_NOISE = /ENOTFOUND open-vsx\.org|AccountPolicyGate|AgentHost|connection token|Creating a socket|\[Service Worker\]|reconnection-grace-time|builtin extensions cache|Started local extension host|\[driver\]/;

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

let server;
let browser;
let serverOutput = '';
async function main() {
  if (options['install-vsix']) {
    const vsix = path.resolve(options['install-vsix']);
    log(`installing ${path.basename(vsix)} with code-server --install-extension`);
    const output = await withTimeout(runCodeServer(['--install-extension', vsix]), 120_000, 'the VSIX install');
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
    { env: environment, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const listening = new Promise((resolve, reject) => {
    const onData = (chunk) => {
      serverOutput += chunk;
      if (serverOutput.includes('HTTP server listening')) resolve();
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
    server.on('exit', (code) => reject(new Error(`code-server exited early with ${code}:\n${serverOutput}`)));
  });
  await withTimeout(listening, 60_000, 'code-server to listen');
  log(`code-server listening on 127.0.0.1:${port}`);

  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const page = await browser.newPage();
  let resolveExit;
  const exited = new Promise((resolve) => (resolveExit = resolve));
  await page.exposeFunction('codeAutomationLog', (level, message) => {
    const text = formatLogMessage(message);
    if (process.env.TUNESMITH_VSCODE_VERBOSE || !WORKBENCH_NOISE.test(text)) process.stdout.write(`${text}\n`);
  });
  await page.exposeFunction('codeAutomationExit', (code, logs) => {
    if (code !== 0 && Array.isArray(logs)) {
      const logDir = path.join(repositoryRoot, 'out', 'vscode-logs');
      mkdirSync(logDir, { recursive: true });
      for (const entry of logs) {
        const target = path.join(logDir, entry.relativePath.replace(/[\\/]/g, '_'));
        writeFileSync(target, entry.contents);
      }
      log(`workbench logs written to ${logDir}`);
    }
    resolveExit(code);
  });
  const authority = `127.0.0.1:${port}`;
  const payload = [
    ['extensionDevelopmentPath', `vscode-remote://${authority}${extensionPath}`],
    ['extensionTestsPath', `vscode-remote://${authority}${testsModule}`],
    ['skipWelcome', 'true'],
  ];
  const url = `http://${authority}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  await page.goto(url);
  log('workbench opened; running the suite in the extension host');
  const serverDied = new Promise((_, reject) => {
    server.once('exit', (code) => reject(new Error(`code-server exited with ${code} during the suite:\n${serverOutput.slice(-4000)}`)));
  });
  const code = await withTimeout(Promise.race([exited, serverDied]), timeoutMs, 'the extension host to finish the suite');
  log(`extension host exited with ${code}`);
  return code;
}

async function cleanUp() {
  await browser?.close().catch(() => undefined);
  if (server && server.exitCode === null) {
    const gone = new Promise((resolve) => server.once('exit', resolve));
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    await withTimeout(gone, 10_000, 'code-server to stop').catch(() => {
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    });
  }
  if (options['keep-temp']) log(`kept ${temp}`);
  else rmSync(temp, { recursive: true, force: true, maxRetries: 3 });
}

// Interrupted (Ctrl-C, CI cancel): still stop code-server and Chromium and remove the temp dir.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    cleanUp().finally(() => process.exit(130));
  });
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  process.stderr.write(`[vscode] FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
  if (serverOutput) process.stderr.write(`[vscode] code-server output:\n${serverOutput.slice(-4000)}\n`);
  exitCode = 1;
} finally {
  await cleanUp();
}
process.exit(typeof exitCode === 'number' ? exitCode : 1);
