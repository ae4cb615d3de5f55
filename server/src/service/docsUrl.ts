/**
 * Where a rule's documentation page is: docs/rules/<id>.md inside the extension (or package)
 * folder. Each entry point passes its own location once; everything else asks here.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

let rulesFolder: string | undefined;
/** URLs by rule id: every diagnostic of every pull asks, and building a file URL is not cheap. */
const urls = new Map<string, string>();

/** Sets the folder holding the rule pages, from the running bundle's folder (dist/<process>/ -> ../../docs/rules). */
export function setRulesDocsFromBundle(bundleFolder: string): void {
  setRulesDocsFolder(path.resolve(bundleFolder, '..', '..', 'docs', 'rules'));
}

export function setRulesDocsFolder(folder: string): void {
  rulesFolder = folder;
  urls.clear();
}

/** file: URL of a rule's page, or undefined when no folder was set. */
export function ruleDocsUrl(rule: string): string | undefined {
  if (rulesFolder === undefined) return undefined;
  let url = urls.get(rule);
  if (url === undefined) {
    url = pathToFileURL(path.join(rulesFolder, `${rule}.md`)).href;
    urls.set(rule, url);
  }
  return url;
}
