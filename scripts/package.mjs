#!/usr/bin/env node
// Builds a platform-specific VSIX with @vscode/vsce:  npm run package [-- --target <target>] [-- --out <file>]
// Targets: linux-x64 (default), linux-arm64, darwin-arm64, darwin-x64, win32-x64. The VSIX carries
// only that platform's onnxruntime-node binaries: .vscodeignore is the allowlist, with its binary line
// rewritten for the target into a temporary ignore file. vsce runs the production build
// (`vscode:prepublish`). Prints the VSIX path and size.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * VS Code target -> the onnxruntime-node files (under bin/napi-v6/) its VSIX carries; empty: none ship.
 * darwin-arm64 ships two identical copies of the library; the binding loads @rpath/libonnxruntime.1.dylib only.
 */
const ONNXRUNTIME_BINARIES = {
  'linux-x64': ['linux/x64/**'],
  'linux-arm64': ['linux/arm64/**'],
  'darwin-arm64': ['darwin/arm64/onnxruntime_binding.node', 'darwin/arm64/libonnxruntime.1.dylib'],
  'darwin-x64': [],
  'win32-x64': ['win32/x64/**'],
  'win32-arm64': ['win32/arm64/**'],
};

const { values } = parseArgs({ options: { target: { type: 'string', default: 'linux-x64' }, out: { type: 'string' } } });
const target = values.target;
if (!(target in ONNXRUNTIME_BINARIES)) {
  process.stderr.write(`package: unknown target '${target}'; use one of ${Object.keys(ONNXRUNTIME_BINARIES).join(', ')}\n`);
  process.exit(2);
}
const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;
const out = path.resolve(values.out ?? path.join(root, `tunesmith-${version}-${target}.vsix`));

const binaryLine = /^!node_modules\/onnxruntime-node\/bin\/napi-v6\/[^/]+\/[^/]+\/\*\*$/m;
const allowlist = readFileSync(path.join(root, '.vscodeignore'), 'utf8');
if (!binaryLine.test(allowlist)) {
  process.stderr.write('package: .vscodeignore has no onnxruntime-node binary line to retarget\n');
  process.exit(1);
}
const binaries = ONNXRUNTIME_BINARIES[target];
if (binaries.length === 0) {
  process.stderr.write(`package: WARNING onnxruntime-node ships no ${target} binary; this VSIX lints but cannot run the model engine\n`);
} else if (!existsSync(path.join(root, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', path.dirname(binaries[0])))) {
  process.stderr.write(`package: node_modules/onnxruntime-node has no ${path.dirname(binaries[0])} binaries; run npm ci first\n`);
  process.exit(1);
}
const targetAllowlist = allowlist.replace(binaryLine, binaries.map((file) => `!node_modules/onnxruntime-node/bin/napi-v6/${file}`).join('\n'));
const temp = mkdtempSync(path.join(os.tmpdir(), 'tunesmith-package-'));
const ignoreFile = path.join(temp, 'vscodeignore');
writeFileSync(ignoreFile, targetAllowlist);

const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
const result = spawnSync(process.execPath, [vsce, 'package', '--target', target, '--ignoreFile', ignoreFile, '--out', out, '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links'], {
  cwd: root,
  stdio: 'inherit',
});
rmSync(temp, { recursive: true, force: true });
if (result.status !== 0) {
  process.stderr.write(`package: vsce failed (exit ${result.status ?? result.signal})\n`);
  process.exit(1);
}
const megabytes = statSync(out).size / (1024 * 1024);
process.stdout.write(`VSIX ${path.relative(process.cwd(), out)}: ${megabytes.toFixed(1)} MB (${target})\n`);
