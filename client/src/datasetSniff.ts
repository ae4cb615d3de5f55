/**
 * Cheap, VS Code-free checks that decide whether a JSON file holds dataset records. They run on every
 * JSON document the editor opens, so they look only at the path and the first few characters.
 */

/** How much of a document the content sniff reads. */
export const SNIFF_LENGTH = 4096;

/** File names that are JSON configuration, never datasets, whatever globs the user sets. */
const CONFIG_FILE_NAME = /^(package(-lock)?\.json|npm-shrinkwrap\.json|(ts|js)config(\..*)?\.json|composer\.json|bower\.json|\.?eslintrc\.json|\.prettierrc\.json|settings\.json|launch\.json|tasks\.json|extensions\.json|devcontainer\.json)$/i;

/** Folders whose JSON files are tool state or configuration. */
const EXCLUDED_FOLDERS = new Set(['.vscode', '.git', 'node_modules', '.devcontainer']);

/** True for JSON files that are configuration (package.json, tsconfig*.json, anything under .vscode ...). */
export function isExcludedJsonPath(filePath: string): boolean {
  const segments = filePath.split(/[\\/]/).filter((segment) => segment.length > 0);
  const fileName = segments.pop() ?? '';
  if (CONFIG_FILE_NAME.test(fileName)) return true;
  return segments.some((segment) => EXCLUDED_FOLDERS.has(segment));
}

/**
 * True when the text starts like a JSON array of objects (`[ {`), the shape of ShareGPT, Alpaca and
 * other JSON datasets. Only the first non-blank characters count; the file may still be invalid later.
 */
export function looksLikeRecordArray(head: string): boolean {
  let index = head.charCodeAt(0) === 0xfeff ? 1 : 0;
  index = skipBlank(head, index);
  if (head[index] !== '[') return false;
  index = skipBlank(head, index + 1);
  return head[index] === '{';
}

function skipBlank(text: string, from: number): number {
  let index = from;
  while (index < text.length && (text[index] === ' ' || text[index] === '\t' || text[index] === '\n' || text[index] === '\r')) {
    index += 1;
  }
  return index;
}
