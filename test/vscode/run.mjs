#!/usr/bin/env node
// Runs a mocha suite inside a real VS Code (see workbench.mjs) and exits with the suite's exit code.
//
//   node test/vscode/run.mjs --tests out/test/vscode/suites/extension/index.js --workspace test/fixtures/vscode/workspace
//        [--extension .] [--install-vsix tunesmith.vsix] [--timeout 240] [--keep-temp]
//
// --extension is the extension under development (default: the repository root); --install-vsix
// installs a packaged extension with `code-server --install-extension` first.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { log, openWorkbench, repositoryRoot, withTimeout } from './workbench.mjs';

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
const workspace = path.resolve(options.workspace);
for (const required of [testsModule, workspace, path.join(extensionPath, 'package.json')]) {
  if (!existsSync(required)) {
    process.stderr.write(`run.mjs: ${required} does not exist (did the build and the tsc compile run?)\n`);
    process.exit(2);
  }
}

let workbench;
// Interrupted (Ctrl-C, CI cancel): still stop code-server and Chromium and remove the temp dir.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    Promise.resolve(workbench?.close()).finally(() => process.exit(130));
  });
}

let exitCode = 1;
try {
  workbench = await openWorkbench({
    workspace,
    extensionPath,
    testsModule,
    installVsix: options['install-vsix'] ? path.resolve(options['install-vsix']) : undefined,
    keepTemp: options['keep-temp'],
  });
  exitCode = await withTimeout(workbench.exitCode, Number(options.timeout) * 1000, 'the extension host to finish the suite');
  log(`extension host exited with ${exitCode}`);
} catch (error) {
  process.stderr.write(`[vscode] FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
  exitCode = 1;
} finally {
  await workbench?.close();
}
process.exit(typeof exitCode === 'number' ? exitCode : 1);
