#!/usr/bin/env node
// A Playwright UI test of the preview panel in a real VS Code (code-server + headless Chromium): opens a
// dataset, picks the demo model from the quick pick, opens the preview from the palette, checks the
// streamed answers inside the webview, starts a fine-tune from the panel's own button, and takes
// screenshots during and after training. Exit code 0 when every check holds.
//
//   node test/vscode/preview-ui.mjs [--screenshots docs] [--steps 200] [--keep-temp]
//
// Screenshots: <dir>/preview-training.png (during) and <dir>/preview.png (after; the README shows it).
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { goToLine, openFile, previewFrame, runCommand } from './preview-driver.mjs';
import { openWorkbench, repositoryRoot } from './workbench.mjs';

const { values: options } = parseArgs({
  options: {
    screenshots: { type: 'string', default: path.join(repositoryRoot, 'out', 'preview-ui') },
    steps: { type: 'string', default: '200' },
    'keep-temp': { type: 'boolean', default: false },
  },
});

/** The preview fixture with settings for this run: enough steps that the panel can be seen mid-run. */
function fixtureCopy() {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'tunesmith-preview-ui-'));
  cpSync(path.join(repositoryRoot, 'test', 'fixtures', 'preview', 'workspace'), folder, { recursive: true });
  writeFileSync(
    path.join(folder, '.vscode', 'settings.json'),
    JSON.stringify({ 'tunesmith.preview.trainingSteps': Number(options.steps), 'tunesmith.preview.evalSplit': 0.2, 'tunesmith.preview.batchTokens': 256, 'tunesmith.preview.debounceMs': 80, 'editor.minimap.enabled': false, 'editor.wordWrap': 'on' }, null, 2),
  );
  return folder;
}

function log(message) {
  process.stdout.write(`[preview-ui] ${message}\n`);
}

let failures = 0;
function check(condition, what) {
  if (condition) log(`ok: ${what}`);
  else {
    failures++;
    log(`FAILED: ${what}`);
  }
}

async function main(page) {
  // Open the dataset and put the cursor in the second record.
  await openFile(page, 'capitals.jsonl');
  await goToLine(page, 2);

  // Select Model: the guided quick pick offers the built-in demo model.
  await runCommand(page, 'Tunesmith: Select Model');
  const demo = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Built-in demo model' });
  await demo.waitFor({ timeout: 15_000 });
  check(await demo.isVisible(), 'the model quick pick offers the built-in demo model');
  await demo.click();

  await runCommand(page, 'Tunesmith: Preview Example at Cursor');
  const frame = previewFrame(page);
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
  await goToLine(page, 2);
  await page.keyboard.press('Control+B');
  await page.keyboard.press('Control+J');
  if (await page.locator('.part.auxiliarybar').isVisible().catch(() => false)) await page.keyboard.press('Control+Alt+B');
  await frame.locator('[data-stat="step"]').filter({ hasText: /^([5-9]|\d\d+) \// }).waitFor({ timeout: 120_000 });
  // Checked at once: on a fast machine the tiny model trains at 50+ steps/s.
  check(await frame.locator('#cancel-training').isVisible(), 'the cancel button shows while training');
  check(/training \d+\//.test((await page.locator('.statusbar').textContent()) ?? ''), 'the status bar shows the training step');
  // The chart draws on its next frame.
  await page.waitForTimeout(500);
  const during = path.join(options.screenshots, 'preview-training.png');
  await page.screenshot({ path: during });
  log(`screenshot during training: ${during}`);

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
  const restored = previewFrame(page);
  await restored.locator('#record h2', { hasText: 'record 2' }).waitFor({ timeout: 90_000 });
  check(true, 'after a reload the panel is restored on the same record');
  await restored.locator('#column-base .answer[data-status="done"]').waitFor({ timeout: 90_000 });
  check(true, 'the restored panel streams answers again');
}

let exitCode = 1;
const fixture = fixtureCopy();
let workbench;
try {
  workbench = await openWorkbench({ workspace: fixture, extensionPath: repositoryRoot, viewport: { width: 1600, height: 1000 }, keepTemp: options['keep-temp'] });
  // No suite runs, so code-server's exit at close() is expected, not an error.
  workbench.exitCode.catch(() => undefined);
  await main(workbench.page);
  exitCode = failures === 0 ? 0 : 1;
  log(failures === 0 ? 'all checks passed' : `${failures} check(s) failed`);
} catch (error) {
  process.stderr.write(`[preview-ui] FAILED: ${error instanceof Error ? error.stack : String(error)}\n`);
} finally {
  await workbench?.close();
  rmSync(fixture, { recursive: true, force: true });
}
process.exit(exitCode);
