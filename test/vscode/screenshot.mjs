#!/usr/bin/env node
// Takes the README screenshot in a real VS Code: examples/ open, the file with planted defects in the
// editor, the invalid-JSON diagnostic's hover showing, and the Problems panel open. Not a test.
//
//   npm run build && node test/vscode/screenshot.mjs [--out docs/images/tunesmith-lint.png]
import { mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { log, openWorkbench, repositoryRoot } from './workbench.mjs';

const { values } = parseArgs({ options: { out: { type: 'string', default: path.join(repositoryRoot, 'docs', 'images', 'tunesmith-lint.png') } } });
const out = path.resolve(values.out);
const file = 'planted-defects.jsonl';

const workbench = await openWorkbench({
  workspace: path.join(repositoryRoot, 'examples'),
  extensionPath: repositoryRoot,
  viewport: { width: 1400, height: 860 },
});
let failed = false;
try {
  const { page } = workbench;
  const timeout = 60_000;
  await page.locator('.monaco-workbench .explorer-folders-view').waitFor({ timeout });
  // Focus may sit anywhere at start: click into the Explorer, then open the file with Quick Open.
  await page.locator('.explorer-folders-view').click();
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').waitFor({ timeout });
  await page.keyboard.type(file);
  await page.locator(`.quick-input-list .monaco-list-row[aria-label*="${file}"]`).first().waitFor({ timeout });
  await page.keyboard.press('Enter');
  const squiggle = page.locator('.monaco-editor .squiggly-error').first();
  await squiggle.waitFor({ timeout });
  await page.keyboard.press('Control+Shift+M');
  await page.locator('.markers-panel .monaco-list-row').first().waitFor({ timeout });
  mkdirSync(path.dirname(out), { recursive: true });
  const temporary = `${out}.tmp.png`;
  await page.screenshot({ path: temporary });
  renameSync(temporary, out);
  log(`screenshot written to ${path.relative(process.cwd(), out)}`);
} catch (error) {
  failed = true;
  await workbench.page.screenshot({ path: `${out}.failed.png` }).catch(() => undefined);
  process.stderr.write(`[screenshot] FAILED (what the page showed: ${out}.failed.png): ${error instanceof Error ? error.message : String(error)}\n`);
} finally {
  await workbench.close();
}
process.exit(failed ? 1 : 0);
