#!/usr/bin/env node
// A Playwright UI test of the preview panel in a real VS Code (code-server + headless Chromium): opens a
// dataset, picks the demo model from the quick pick, opens the preview from the palette, checks the
// streamed answers inside the webview, starts a fine-tune from the panel's own button, and takes
// screenshots during and after training. Exit code 0 when every check holds.
//
//   node test/vscode/preview-ui.mjs [--screenshots docs] [--steps 40] [--keep-temp]
//
// Screenshots: <dir>/preview-training.png (during) and <dir>/preview.png (after; the README shows it).
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { chromiumPath, codeServerEntry, node24Dir, setup } from './setup.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repositoryRoot = path.resolve(here, '..', '..');
const { values: options } = parseArgs({
  options: {
    screenshots: { type: 'string', default: path.join(repositoryRoot, 'out', 'preview-ui') },
    steps: { type: 'string', default: '40' },
    'keep-temp': { type: 'boolean', default: false },
  },
});

setup();
const require = createRequire(path.join(here, 'tools', 'package.json'));
const { chromium } = require('playwright-core');

const temp = mkdtempSync(path.join(os.tmpdir(), 'tunesmith-preview-ui-'));
const workspace = path.join(temp, 'workspace');
cpSync(path.join(repositoryRoot, 'test', 'fixtures', 'preview', 'workspace'), workspace, { recursive: true });
// Enough steps that the panel can be seen mid-run.
writeFileSync(
  path.join(workspace, '.vscode', 'settings.json'),
  JSON.stringify({ 'tunesmith.preview.trainingSteps': Number(options.steps), 'tunesmith.preview.evalSplit': 0.2, 'tunesmith.preview.batchTokens': 256, 'tunesmith.preview.debounceMs': 80 }, null, 2),
);
const userDataDir = path.join(temp, 'ud');
mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
writeFileSync(
  path.join(userDataDir, 'User', 'settings.json'),
  JSON.stringify({
    'telemetry.telemetryLevel': 'off',
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'chat.disableAIFeatures': true,
    'chat.commandCenter.enabled': false,
    'security.workspace.trust.enabled': false,
    'workbench.colorTheme': 'Default Dark Modern',
    'window.zoomLevel': 0,
    'editor.minimap.enabled': false,
  }),
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
for (const folder of ['xdg-config', 'xdg-data', 'xdg-cache', 'tmp', 'ext']) mkdirSync(path.join(temp, folder), { recursive: true });

function log(message) {
  process.stdout.write(`[preview-ui] ${message}\n`);
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

let server;
let browser;
let failures = 0;
function check(condition, what) {
  if (condition) log(`ok: ${what}`);
  else {
    failures++;
    log(`FAILED: ${what}`);
  }
}

async function runCommand(page, title) {
  // Commands of the extension under development appear a few seconds after the workbench: retry.
  for (let attempt = 0; attempt < 20; attempt++) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
    if (await row.isVisible({ timeout: 1500 }).catch(() => false)) {
      await page.keyboard.press('Enter');
      return;
    }
    await page.keyboard.press('Escape');
    await page.waitForTimeout(1000);
  }
  throw new Error(`command "${title}" never appeared in the palette`);
}

async function main() {
  const port = await freePort();
  server = spawn(
    path.join(node24Dir, 'bin', 'node'),
    [codeServerEntry, '--user-data-dir', userDataDir, '--extensions-dir', path.join(temp, 'ext'), '--config', path.join(temp, 'config.yaml'), '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--vscode-option', 'enable-smoke-test-driver', workspace],
    { env: environment, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let output = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('code-server did not start in 60 s')), 60_000);
    const onData = (chunk) => {
      output += chunk;
      if (output.includes('HTTP server listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
    server.on('exit', (code) => reject(new Error(`code-server exited with ${code}: ${output.slice(-2000)}`)));
  });
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const authority = `127.0.0.1:${port}`;
  const payload = [['extensionDevelopmentPath', `vscode-remote://${authority}${repositoryRoot}`], ['skipWelcome', 'true']];
  await page.goto(`http://${authority}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  // Focus starts elsewhere: click into the Explorer first.
  await page.locator('.explorer-folders-view').first().click({ timeout: 30_000 }).catch(() => undefined);

  // Open the dataset with Quick Open and put the cursor in the second record.
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').fill('capitals.jsonl');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'capitals.jsonl' }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.monaco-editor .view-lines').first().waitFor();
  await page.locator('.monaco-editor .view-line').nth(1).click();

  // Select Model: the guided quick pick offers the built-in demo model.
  await runCommand(page, 'Tunesmith: Select Model');
  const demo = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Built-in demo model' });
  await demo.waitFor({ timeout: 15_000 });
  check(await demo.isVisible(), 'the model quick pick offers the built-in demo model');
  await demo.click();

  await runCommand(page, 'Tunesmith: Preview Example at Cursor');
  const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  await frame.locator('#record h2').waitFor({ timeout: 60_000 });
  check((await frame.locator('#record h2').textContent())?.includes('record 2'), 'the panel shows the record under the cursor');
  await frame.locator('#column-base .answer[data-status="done"]').waitFor({ timeout: 60_000 });
  const baseText = (await frame.locator('#column-base .answer').textContent()) ?? '';
  check(baseText.trim().length > 0, `the base model answer streamed into the panel (${JSON.stringify(baseText.slice(0, 40))})`);
  check((await frame.locator('#column-reference .content').textContent())?.includes('Rome'), 'the reference answer is shown beside it');

  // Keyboard: Tab reaches the panel's buttons.
  await frame.locator('#command-fineTune').focus();
  check(await frame.locator('#command-fineTune').evaluate((element) => element === document.activeElement), 'the Fine-tune button takes keyboard focus');
  await page.keyboard.press('Enter');

  mkdirSync(options.screenshots, { recursive: true });
  await frame.locator('#training:not([hidden])').waitFor({ timeout: 60_000 });
  // Room for the panel in the screenshots: hide the side bar and the bottom panel (the Output channel opened).
  await page.locator('.monaco-editor .view-line').nth(1).click();
  await page.keyboard.press('Control+B');
  await page.keyboard.press('Control+J');
  if (await page.locator('.part.auxiliarybar').isVisible().catch(() => false)) await page.keyboard.press('Control+Alt+B');
  await frame.locator('[data-stat="step"]').filter({ hasText: /^([5-9]|\d\d+) \// }).waitFor({ timeout: 120_000 });
  // The chart draws on its next frame.
  await page.waitForTimeout(500);
  const during = path.join(options.screenshots, 'preview-training.png');
  await page.screenshot({ path: during });
  log(`screenshot during training: ${during}`);
  check(await frame.locator('#cancel-training').isVisible(), 'the cancel button shows while training');
  check(/training \d+\//.test((await page.locator('.statusbar').textContent()) ?? ''), 'the status bar shows the training step');

  await frame.locator('#training-title', { hasText: 'finished' }).waitFor({ timeout: 300_000 });
  await frame.locator('#column-adapter .answer[data-status="done"]').waitFor({ timeout: 60_000 });
  // Show one diff to the reference, so the screenshot has it.
  const diffToggle = frame.locator('#diff-toggle-adapter');
  if (await diffToggle.isVisible().catch(() => false)) await diffToggle.click();
  // The record and the answers side by side at the top of the view.
  await frame.locator('#record').evaluate((element) => element.scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(500);
  const afterShot = path.join(options.screenshots, 'preview.png');
  await page.screenshot({ path: afterShot });
  log(`screenshot after training: ${afterShot}`);
  check(((await frame.locator('#column-adapter .answer').textContent()) ?? '').trim().length > 0, 'the new adapter answered in the panel');
  check((await frame.locator('#adapter-select option').count()) >= 2, 'the adapter list offers the new adapter');
  check(!(await frame.locator('#cancel-training').isVisible()), 'the cancel button is gone after training');

  // A/B: the same dataset's adapter chosen as the comparison fills a third answer column.
  const compareValue = await frame.locator('#compare-select option').nth(1).getAttribute('value');
  await frame.locator('#compare-select').selectOption(compareValue ?? '');
  await frame.locator('#column-compare .answer[data-status="done"]').waitFor({ timeout: 60_000 });
  check(((await frame.locator('#column-compare .answer').textContent()) ?? '').trim().length > 0, 'an A/B comparison adapter answers in its own column');

  // A window reload restores the panel through its serializer, on the same record.
  await page.reload();
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  const restored = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  await restored.locator('#record h2', { hasText: 'record 2' }).waitFor({ timeout: 90_000 });
  check(true, 'after a reload the panel is restored on the same record');
  await restored.locator('#column-base .answer[data-status="done"]').waitFor({ timeout: 90_000 });
  check(true, 'the restored panel streams answers again');
}

let exitCode = 1;
try {
  await main();
  exitCode = failures === 0 ? 0 : 1;
  log(failures === 0 ? 'all checks passed' : `${failures} check(s) failed`);
} catch (error) {
  process.stderr.write(`[preview-ui] FAILED: ${error instanceof Error ? error.stack : String(error)}\n`);
} finally {
  await browser?.close().catch(() => undefined);
  if (server && server.exitCode === null) {
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      // gone
    }
  }
  if (options['keep-temp']) log(`kept ${temp}`);
  else rmSync(temp, { recursive: true, force: true, maxRetries: 3 });
}
process.exit(exitCode);
