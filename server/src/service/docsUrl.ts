/**
 * Where a rule's documentation page is: docs/rules/<id>.md inside the extension (or package)
 * folder. Each entry point passes its own location once; everything else asks here.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

let rulesFolder: string | undefined;

/** Sets the folder holding the rule pages, from the running bundle's folder (dist/<process>/ -> ../../docs/rules). */
export function setRulesDocsFromBundle(bundleFolder: string): void {
  rulesFolder = path.resolve(bundleFolder, '..', '..', 'docs', 'rules');
}

export function setRulesDocsFolder(folder: string): void {
  rulesFolder = folder;
}

/** file: URL of a rule's page, or undefined when no folder was set. */
export function ruleDocsUrl(rule: string): string | undefined {
  if (rulesFolder === undefined) return undefined;
  return pathToFileURL(path.join(rulesFolder, `${rule}.md`)).href;
}
