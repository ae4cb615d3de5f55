/** The JSON schema the editor uses for tunesmith.json (dist/tunesmith.schema.json, written by the build) matches what the linter reads. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { nearDuplicateThresholdRange, resolveSettings, settingKeys } from '../../../server/src/service/config';
import { allRules } from '../../../server/src/service/rules/index';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const schemaFile = path.join(root, 'dist', 'tunesmith.schema.json');

interface Schema {
  type: string;
  additionalProperties: boolean;
  properties: Record<string, { type?: string | string[]; properties?: Record<string, { enum?: string[] }>; enum?: unknown[]; minimum?: number; maximum?: number; markdownDescription?: string }>;
}

describe('tunesmith.json schema', { skip: existsSync(schemaFile) ? false : 'run `npm run build` first' }, () => {
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as Schema;
  it('names exactly the settings a config file may hold, and nothing else', () => {
    assert.deepEqual(Object.keys(schema.properties).sort(), [...settingKeys].sort());
    assert.equal(schema.additionalProperties, false);
  });
  it('offers every rule with its severities', () => {
    const rules = schema.properties.rules?.properties ?? {};
    assert.deepEqual(Object.keys(rules).sort(), allRules.map((rule) => rule.meta.id).sort());
    for (const rule of allRules) assert.deepEqual(rules[rule.meta.id]?.enum, ['off', 'hint', 'info', 'warning', 'error'], rule.meta.id);
  });
  it("says that files and model are relative to the config file's folder (the docs), not the workspace folder", () => {
    assert.equal(schema.properties.files?.markdownDescription, "Globs (relative to this config file's folder) of the files that are datasets. JSON Lines files are always linted; JSON files only when they match and hold an array of records.");
    assert.equal(schema.properties.model?.markdownDescription, "A Hugging Face model folder (with `tokenizer.json` and a chat template) used for exact token counts. Relative paths are relative to this config file's folder. Empty: counts are estimates.");
  });
  it('bounds nearDuplicateThreshold as the linter does: a value the schema refuses is reported, not used', () => {
    assert.equal(schema.properties.nearDuplicateThreshold?.minimum, nearDuplicateThresholdRange.minimum);
    assert.equal(schema.properties.nearDuplicateThreshold?.maximum, nearDuplicateThresholdRange.maximum);
    const { settings, warnings } = resolveSettings({ nearDuplicateThreshold: 0.05 });
    assert.equal(settings.nearDuplicateThreshold, 0.7);
    assert.deepEqual(warnings, ['nearDuplicateThreshold: expected a number from 0.1 to 1, got 0.05; the default 0.7 is used']);
    assert.deepEqual(resolveSettings({ nearDuplicateThreshold: 70 }).warnings, ['nearDuplicateThreshold: expected a number from 0.1 to 1, got 70 (a fraction: 0.7?); the default 0.7 is used']);
    assert.equal(resolveSettings({ nearDuplicateThreshold: 0.1 }).settings.nearDuplicateThreshold, 0.1);
  });
  it('is declared for tunesmith.json and .tunesmithrc.json in package.json', () => {
    const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { contributes: { jsonValidation?: { fileMatch: string[]; url: string }[] } };
    assert.deepEqual(manifest.contributes.jsonValidation, [{ fileMatch: ['tunesmith.json', '.tunesmithrc.json'], url: './dist/tunesmith.schema.json' }]);
  });
});
