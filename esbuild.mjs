// Bundles every process of Tunesmith into dist/. `--watch` rebuilds on change, `--production` minifies.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

// Native or binary-heavy packages stay outside the bundles and ship in node_modules.
const external = ['vscode', 'onnxruntime-node'];

/** Each process's entry point; entries whose source does not exist yet are skipped. */
const nodeEntries = [
  { in: 'client/src/extension.ts', out: 'client/extension' },
  { in: 'server/src/server.ts', out: 'server/server' },
  { in: 'engine/src/worker.ts', out: 'engine/worker' },
  { in: 'cli/src/tunesmith.ts', out: 'cli/tunesmith' },
].filter((entry) => existsSync(entry.in));

/** Scripts that run inside webviews; they go under media/ because webviews may only load from there. */
const webviewEntries = [
  { in: 'media/src/preview.ts', out: 'preview' },
].filter((entry) => existsSync(entry.in));

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  logLevel: 'info',
  legalComments: 'linked',
};

const contexts = [
  await esbuild.context({
    ...common,
    entryPoints: nodeEntries,
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external,
    // The CLI entry is executable through package.json "bin".
    banner: { js: '#!/usr/bin/env node' },
  }),
];
if (webviewEntries.length > 0) {
  contexts.push(
    await esbuild.context({
      ...common,
      entryPoints: webviewEntries,
      outdir: 'media/dist',
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
    }),
  );
}

/**
 * The JSON schema of the workspace config file (tunesmith.json, .tunesmithrc.json), which the editor
 * uses to complete and check it: the tunesmith.* settings a config file takes, from package.json.
 * Editor-only settings (tunesmith.device, tunesmith.preview.*) are left out; a unit test checks the
 * keys against the ones the linter reads.
 */
/**
 * In a config file, `files` and `model` are relative to the config file's folder (as `tunesmith lint`
 * and the editor read them), not to the workspace folder as the VS Code settings are.
 */
function configFileWording(key, spec) {
  if (key !== 'files' && key !== 'model') return {};
  const wording = spec.markdownDescription.replace(/\(relative to the workspace folder\)/, "(relative to this config file's folder)").replace(/relative to the workspace folder\./, "relative to this config file's folder.");
  if (wording === spec.markdownDescription) throw new Error(`package.json: tunesmith.${key} no longer says what its paths are relative to; update configFileWording() in esbuild.mjs`);
  return { markdownDescription: wording };
}

function writeConfigSchema() {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
  const properties = {};
  for (const section of [].concat(manifest.contributes.configuration)) {
    for (const [name, spec] of Object.entries(section.properties)) {
      const key = name.slice('tunesmith.'.length);
      if (key.includes('.') || key === 'device') continue;
      const { scope: _scope, order: _order, ...schema } = spec;
      properties[key] = { ...schema, ...configFileWording(key, schema) };
    }
  }
  properties.$schema = { type: 'string', description: 'The schema this file follows.' };
  const schema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Tunesmith configuration',
    description: 'Settings for the Tunesmith linter, read by the editor and by `tunesmith lint`; they override the tunesmith.* settings.',
    type: 'object',
    properties,
    additionalProperties: false,
  };
  mkdirSync('dist', { recursive: true });
  writeFileSync('dist/tunesmith.schema.json', `${JSON.stringify(schema, null, 2)}\n`);
}
writeConfigSchema();

if (watch) {
  await Promise.all(contexts.map((context) => context.watch()));
} else {
  await Promise.all(contexts.map((context) => context.rebuild()));
  await Promise.all(contexts.map((context) => context.dispose()));
}
