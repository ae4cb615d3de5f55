/**
 * Globs of dataset files, read the same way by the editor (`tunesmith.files`, which paths to treat as
 * datasets) and the command line (the paths and the config file's "files" it lints).
 */

/** Thrown for a glob that cannot be read (an unbalanced brace); the message says what is wrong in words. */
export class GlobSyntaxError extends Error {}

/**
 * A glob as a regular expression over `/`-separated relative paths: `**` any folders, `*` and `?`
 * within a name, `{a,b}` alternatives (nested too), `[abc]` and `[!abc]` classes. A comma outside
 * braces is a literal comma, as in bash and minimatch; an unbalanced brace is refused rather than
 * handed to RegExp, whose error would name regex internals. `positionOffset` shifts the character
 * positions in those messages (the glob's place in a longer path).
 */
export function globToRegExp(glob: string, positionOffset = 0): RegExp {
  let pattern = '';
  /** Positions (0-based) of the braces still open, innermost last. */
  const openBraces: number[] = [];
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index] ?? '';
    if (char === '*') {
      if (glob[index + 1] === '*') {
        index++;
        if (glob[index + 1] === '/') {
          index++;
          pattern += '(?:.*/)?';
        } else pattern += '.*';
      } else pattern += '[^/]*';
    } else if (char === '?') pattern += '(?:[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]|[^/])'; // one character, an emoji's two UTF-16 units too
    else if (char === '{') {
      openBraces.push(index);
      pattern += '(?:';
    } else if (char === '}') {
      if (openBraces.pop() === undefined) throw new GlobSyntaxError(`the '}' at character ${positionOffset + index + 1} closes no '{'`);
      pattern += ')';
    } else if (char === ',' && openBraces.length > 0) pattern += '|';
    else if (char === '[' && glob.indexOf(']', index + 2) > index) {
      // A class; "[]" and a '[' that is never closed are literal.
      const end = glob.indexOf(']', index + 2);
      const body = glob.slice(index + 1, end).replace(/^!/, '^').replace(/[\\\]]/g, '\\$&');
      pattern += `[${body}]`;
      index = end;
    } else pattern += char.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  const unclosed = openBraces.pop();
  if (unclosed !== undefined) throw new GlobSyntaxError(`the '{' at character ${positionOffset + unclosed + 1} is never closed with '}'`);
  return new RegExp(`^${pattern}$`);
}

/** What is wrong with a glob that cannot be read, in words; undefined for a readable one. */
export function globProblem(glob: string): string | undefined {
  try {
    globToRegExp(glob);
    return undefined;
  } catch (error) {
    if (error instanceof GlobSyntaxError) return error.message;
    throw error;
  }
}

const compiledGlobs = new Map<string, RegExp | null>();

/**
 * Whether a `/`-separated path matches a glob, as VS Code reads `tunesmith.files` (and `tunesmith lint`
 * the config file's "files"); each glob is compiled once. A glob that cannot be read matches nothing
 * (the settings' warnings say so).
 */
export function matchesGlob(filePath: string, glob: string): boolean {
  let compiled = compiledGlobs.get(glob);
  if (compiled === undefined) {
    compiled = globProblem(glob) === undefined ? globToRegExp(glob) : null;
    compiledGlobs.set(glob, compiled);
  }
  return compiled?.test(filePath) ?? false;
}

/** The `files` default: every JSON Lines and JSON file may be a dataset (package.json declares the same). */
export const defaultDatasetGlobs: readonly string[] = ['**/*.jsonl', '**/*.json'];

/**
 * The `files` globs that can be used: the non-blank ones, or the defaults when none is (an empty setting
 * must not make every file a non-dataset).
 */
export function usableDatasetGlobs(globs: readonly string[]): readonly string[] {
  const usable = globs.filter((glob) => glob.trim().length > 0);
  return usable.length > 0 ? usable : defaultDatasetGlobs;
}
