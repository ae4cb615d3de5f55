/** The `tunesmith.rules` setting in package.json lists every rule, described as the rule describes itself, with its docs link. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { allRules } from '../../../server/src/service/rules/index';

const root = path.resolve(__dirname, '..', '..', '..', '..');

interface RuleSetting {
  markdownDescription?: string;
}

function ruleSettings(): Record<string, RuleSetting> {
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { contributes: { configuration: unknown } };
  const sections = ([] as { properties?: Record<string, { properties?: Record<string, RuleSetting> }> }[]).concat(manifest.contributes.configuration as never);
  const rules = sections.map((section) => section.properties?.['tunesmith.rules']?.properties).find((found) => found !== undefined);
  assert.ok(rules, 'package.json contributes a tunesmith.rules setting with one property per rule');
  return rules;
}

describe('tunesmith.rules setting', () => {
  it('has one entry per rule, with the rule description and its docs link', () => {
    const settings = ruleSettings();
    assert.deepEqual(Object.keys(settings).sort(), allRules.map((rule) => rule.meta.id).sort());
    for (const rule of allRules) {
      assert.equal(settings[rule.meta.id]?.markdownDescription, `${rule.meta.description} [Docs](docs/rules/${rule.meta.id}.md)`, rule.meta.id);
    }
  });
});
