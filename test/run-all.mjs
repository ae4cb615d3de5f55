#!/usr/bin/env node
// `npm test`: sets up what is missing, then runs every test layer in order and ends with one line,
// "N passed, N failed" (tests counted from each layer's own report). Exits non-zero on any failure.
//
//   node test/run-all.mjs [--only name,name] [--skip name,name]
// Layers: setup, build, compile, unit, protocol, grammar, vscode (and vscode:<suite> for each other
// suite in test/vscode/suites/), vsix.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { only: { type: 'string' }, skip: { type: 'string' } } });
const only = values.only ? new Set(values.only.split(',')) : undefined;
const skip = new Set(values.skip ? values.skip.split(',') : []);

const node = process.execPath;
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

/** Counts from node's test runner (TAP `# pass N` or spec `ℹ pass N`). */
function nodeTestCounts(output) {
  const passed = output.match(/^(?:#|ℹ) pass (\d+)/m);
  const failed = output.match(/^(?:#|ℹ) fail (\d+)/m);
  if (!passed || !failed) return undefined;
  return { passed: Number(passed[1]), failed: Number(failed[1]) };
}

/** Counts from mocha's spec reporter (`N passing`, `N failing`). */
function mochaCounts(output) {
  const passed = output.match(/^\s*(\d+) passing/m);
  if (!passed) return undefined;
  const failed = output.match(/^\s*(\d+) failing/m);
  return { passed: Number(passed[1]), failed: failed ? Number(failed[1]) : 0 };
}

/** Counts from vscode-tmgrammar-snap: one line per case file. A snapshot it had to generate counts as a failure (snapshots are committed). */
function grammarCounts(output) {
  const passed = (output.match(/run successfully/g) ?? []).length;
  const failed = (output.match(/ERROR (running testcase|in test case|can't run testcase)|Generating snapshot/g) ?? []).length;
  if (passed + failed === 0) return undefined;
  return { passed, failed };
}

function testFilesUnder(folder) {
  if (!existsSync(folder)) return false;
  return readdirSync(folder, { recursive: true }).some((name) => String(name).endsWith('.test.js'));
}

function vscodeSuites() {
  const folder = path.join(root, 'test', 'vscode', 'suites');
  const suites = readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'vsix' && existsSync(path.join(folder, entry.name, 'index.ts')))
    .map((entry) => entry.name)
    .sort();
  // The foundation suite first: it measures activation before other suites' features load.
  return [...suites.filter((name) => name === 'extension'), ...suites.filter((name) => name !== 'extension')];
}

function suiteWorkspace(suite) {
  const own = path.join('test', 'fixtures', suite, 'workspace');
  return existsSync(path.join(root, own)) ? own : path.join('test', 'fixtures', 'vscode', 'workspace');
}

const layers = [
  { name: 'setup', what: 'real-VS-Code test tools and browser', command: [node, 'test/vscode/setup.mjs'] },
  { name: 'build', what: 'esbuild bundles', command: [node, 'esbuild.mjs'] },
  { name: 'compile', what: 'tsc type check and test compile', command: [node, bin('tsc'), '-p', 'tsconfig.json'] },
  { name: 'unit', what: 'unit tests', command: [node, '--test', 'out/test/unit/'], counts: nodeTestCounts, folder: 'out/test/unit' },
  { name: 'protocol', what: 'protocol tests (real server over LSP)', command: [node, '--test', 'out/test/protocol/'], counts: nodeTestCounts, folder: 'out/test/protocol' },
  { name: 'grammar', what: 'grammar snapshots', command: [node, bin('vscode-tmgrammar-snap'), '--config', 'test/grammar/grammars.json', 'test/grammar/cases/*'], counts: grammarCounts },
  // One layer per extension-host suite in test/vscode/suites/<name>/ (the VSIX suite runs in its own layer);
  // each opens test/fixtures/<name>/workspace when that exists, else the shared test/fixtures/vscode/workspace.
  ...vscodeSuites().map((suite) => ({
    name: suite === 'extension' ? 'vscode' : `vscode:${suite}`,
    what: `${suite} suite in a real VS Code`,
    command: [node, 'test/vscode/run.mjs', '--tests', `out/test/vscode/suites/${suite}/index.js`, '--workspace', suiteWorkspace(suite)],
    counts: mochaCounts,
    needsSetup: true,
  })),
  { name: 'preview-ui', what: 'preview UI test with screenshots (Playwright)', command: [node, 'test/vscode/preview-ui.mjs'], needsSetup: true },
  { name: 'vsix', what: 'VSIX packaging and install', command: [node, 'test/vscode/vsix.mjs'], counts: mochaCounts, needsSetup: true },
];

function runLayer(layer) {
  return new Promise((resolve) => {
    const [command, ...args] = layer.command;
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let output = '';
    const forward = (stream) => (chunk) => {
      output += chunk;
      stream.write(chunk);
    };
    child.stdout.on('data', forward(process.stdout));
    child.stderr.on('data', forward(process.stderr));
    child.on('error', (error) => {
      output += String(error);
      resolve({ code: 1, output });
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

const results = [];
for (const layer of layers) {
  if ((only && !only.has(layer.name)) || skip.has(layer.name)) continue;
  process.stdout.write(`\n=== ${layer.name}: ${layer.what} ===\n`);
  const started = Date.now();
  let code;
  let output = '';
  const setupFailed = results.some((result) => result.name === 'setup' && result.code !== 0);
  if (layer.needsSetup && setupFailed) {
    code = 1;
    process.stdout.write('not run: the setup layer failed (see its message above)\n');
  } else if (layer.folder && !testFilesUnder(path.join(root, layer.folder))) {
    code = 1;
    output = '';
    process.stdout.write(`no *.test.js under ${layer.folder}: this layer has no tests\n`);
  } else {
    ({ code, output } = await runLayer(layer));
  }
  const seconds = (Date.now() - started) / 1000;
  let counts = layer.counts ? layer.counts(output) : undefined;
  // A layer that failed without reporting test counts (it crashed, or is a step) counts as one failure.
  if (counts === undefined) counts = code === 0 ? { passed: layer.counts ? 0 : 1, failed: 0 } : { passed: 0, failed: 1 };
  else if (code !== 0 && counts.failed === 0) counts = { ...counts, failed: 1 };
  results.push({ name: layer.name, code, seconds, ...counts });
}

process.stdout.write('\n=== summary ===\n');
for (const result of results) {
  const status = result.code === 0 && result.failed === 0 ? 'ok  ' : 'FAIL';
  process.stdout.write(`${status} ${result.name.padEnd(15)} ${String(result.passed).padStart(4)} passed ${String(result.failed).padStart(3)} failed  ${result.seconds.toFixed(1).padStart(6)} s\n`);
}
const passed = results.reduce((sum, result) => sum + result.passed, 0);
const failed = results.reduce((sum, result) => sum + result.failed, 0);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 || results.some((result) => result.code !== 0) ? 1 : 0);
