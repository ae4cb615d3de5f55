// Playwright steps the preview's UI test and its editor-latency benchmark share (on a workbench from
// workbench.mjs).

/** Runs a command from the palette; commands of the extension under development appear a few seconds late, so it retries. */
export async function runCommand(page, title) {
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

/** Opens a workspace file with Quick Open (after clicking into the Explorer: focus may sit elsewhere). */
export async function openFile(page, name) {
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.explorer-folders-view').first().click({ timeout: 30_000 }).catch(() => undefined);
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').fill(name);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.monaco-editor .view-lines').first().waitFor();
}

/** Puts the cursor at the start of `line` (1-based) with Go to Line, whatever the wrapping; focus ends in the editor. */
export async function goToLine(page, line) {
  const input = page.locator('.quick-input-widget input');
  for (let attempt = 0; attempt < 5; attempt++) {
    // Keys pressed while focus sits inside a webview may never reach the workbench: after the first
    // try, click the dataset's tab (focuses its editor without moving the cursor) and press again.
    if (attempt > 0) await page.locator('.editor-group-container').first().locator('.tab.active').click({ timeout: 5_000 }).catch(() => undefined);
    // Ctrl+1 focuses the first editor group (the dataset), wherever focus was.
    await page.keyboard.press('Control+1');
    await page.keyboard.press('Control+G');
    const opened = await input.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false);
    if (!opened) continue;
    // The quick input can close under us (focus taken by the webview as it updates): then open it again.
    const filled = await input.fill(`:${line}`, { timeout: 5_000 }).then(() => true, () => false);
    if (!filled) {
      await page.keyboard.press('Escape');
      continue;
    }
    await page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden' });
    return;
  }
  throw new Error(`Go to Line (Ctrl+G) never opened to reach line ${line}`);
}

/** The preview webview's document (two nested frames). */
export function previewFrame(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}
