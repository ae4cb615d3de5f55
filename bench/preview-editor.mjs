#!/usr/bin/env node
// Editor latency while the engine generates (benchmark, not a test). In a real VS Code (code-server +
// headless Chromium), types into the instruction of a record and measures, inside the page, the time
// from each keydown to the editor's text updating. Once with the preview closed (nothing generates),
// once with the preview open and answering: every keystroke then starts a new generation round
// (debounce 50 ms, max tokens 512), so the engine streams the whole time. Prints both and their ratio.
//
//   node bench/preview-editor.mjs [--model demo|/path/to/model] [--keys 40] [--interval 150]
//
// The SmolLM2-135M-shaped random model bench/engine.ts writes (/tmp/tunesmith-bench/smollm2-135m-random)
// makes the engine's load heavier; the demo model is the default.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openFile, previewFrame, runCommand } from '../test/vscode/preview-driver.mjs';
import { openWorkbench, repositoryRoot } from '../test/vscode/workbench.mjs';

const { values: options } = parseArgs({
  options: {
    model: { type: 'string', default: 'demo' },
    keys: { type: 'string', default: '40' },
    interval: { type: 'string', default: '150' },
  },
});
const keys = Number(options.keys);
const interval = Number(options.interval);

function percentile(values, fraction) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

/** Types `keys` letters at the cursor and returns each keydown -> editor text update time, measured in the page. */
async function typingLatencies(page) {
  await page.evaluate(() => {
    const state = { pending: undefined, latencies: [] };
    window.__tunesmithTyping = state;
    document.addEventListener('keydown', () => (state.pending = performance.now()), true);
    const lines = document.querySelector('.monaco-editor .view-lines');
    new MutationObserver(() => {
      if (state.pending === undefined) return;
      state.latencies.push(performance.now() - state.pending);
      state.pending = undefined;
    }).observe(lines, { childList: true, subtree: true, characterData: true });
  });
  for (let key = 0; key < keys; key++) {
    await page.keyboard.press(String.fromCharCode(97 + (key % 26)));
    await page.waitForTimeout(interval);
  }
  return page.evaluate(() => window.__tunesmithTyping.latencies);
}

async function main() {
  const fixture = mkdtempSync(path.join(os.tmpdir(), 'tunesmith-bench-editor-'));
  cpSync(path.join(repositoryRoot, 'test', 'fixtures', 'preview', 'workspace'), fixture, { recursive: true });
  const settings = { 'tunesmith.preview.debounceMs': 50, 'editor.minimap.enabled': false };
  if (options.model !== 'demo') settings['tunesmith.model'] = path.resolve(options.model);
  writeFileSync(path.join(fixture, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2));
  const workbench = await openWorkbench({ workspace: fixture, extensionPath: repositoryRoot, viewport: { width: 1600, height: 1000 } });
  // No suite runs, so code-server's exit at close() is expected, not an error.
  workbench.exitCode.catch(() => undefined);
  try {
    const { page } = workbench;
    await openFile(page, 'capitals.jsonl');
    // The cursor inside the instruction of record 2 ("What is the capital of Italy?").
    const line = page.locator('.monaco-editor .view-line').nth(1);
    await line.click();
    await page.keyboard.press('End');
    for (let step = 0; step < 40; step++) await page.keyboard.press('ArrowLeft');

    const idle = await typingLatencies(page);

    if (options.model === 'demo') {
      await runCommand(page, 'Tunesmith: Select Model');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Built-in demo model' }).click();
    }
    await runCommand(page, 'Tunesmith: Preview Example at Cursor');
    const frame = previewFrame(page);
    await frame.locator('#column-base .answer[data-status="done"]').waitFor({ timeout: 120_000 });
    await frame.locator('#setting-max-tokens').fill('512');
    await frame.locator('#setting-max-tokens').press('Tab');
    // Back to the editor, same place.
    await line.click();
    await page.keyboard.press('End');
    for (let step = 0; step < 40; step++) await page.keyboard.press('ArrowLeft');
    await frame.locator('#column-base .answer[data-status="streaming"]').waitFor({ timeout: 60_000 }).catch(() => undefined);
    const busy = await typingLatencies(page);
    const streamed = await frame.locator('#column-base .stats').textContent().catch(() => '');

    const model = options.model === 'demo' ? 'tiny demo model' : path.basename(options.model);
    console.log(`editor latency while the engine generates (${model}; ${keys} keys, ${interval} ms apart; keydown -> editor text update, in the page)`);
    console.log(`  preview closed (nothing generates):      median ${percentile(idle, 0.5).toFixed(1)} ms, p95 ${percentile(idle, 0.95).toFixed(1)} ms, max ${Math.max(...idle).toFixed(1)} ms (${idle.length} keys)`);
    console.log(`  preview open, a new answer per keystroke: median ${percentile(busy, 0.5).toFixed(1)} ms, p95 ${percentile(busy, 0.95).toFixed(1)} ms, max ${Math.max(...busy).toFixed(1)} ms (${busy.length} keys; last base column: ${streamed?.trim()})`);
    console.log(`  ratio busy / idle: median ${(percentile(busy, 0.5) / percentile(idle, 0.5)).toFixed(2)}x, p95 ${(percentile(busy, 0.95) / percentile(idle, 0.95)).toFixed(2)}x`);
  } finally {
    await workbench.close();
    rmSync(fixture, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
