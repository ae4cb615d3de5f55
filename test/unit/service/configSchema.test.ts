/** The JSON schema the editor uses for tunesmith.json (dist/tunesmith.schema.json, written by the build) matches what the linter reads. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { settingKeys } from '../../../server/src/service/config';
import { allRules } from '../../../server/src/service/rules/index';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const schemaFile = path.join(root, 'dist', 'tunesmith.schema.json');

interface Schema {
  type: string;
  additionalProperties: boolean;
  properties: Record<string, { type?: string | string[]; properties?: Record<string, { enum?: string[] }>; enum?: unknown[] }>;
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
  it('is declared for tunesmith.json and .tunesmithrc.json in package.json', () => {
    const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { contributes: { jsonValidation?: { fileMatch: string[]; url: string }[] } };
    assert.deepEqual(manifest.contributes.jsonValidation, [{ fileMatch: ['tunesmith.json', '.tunesmithrc.json'], url: './dist/tunesmith.schema.json' }]);
  });
});
