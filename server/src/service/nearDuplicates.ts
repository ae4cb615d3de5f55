/**
 * Near-duplicate instructions, in the spirit of self-instruct's filter (ROUGE-L F >= 0.7), scaled
 * to 100k records: MinHash signatures over word sets and locality-sensitive hashing (bands of rows)
 * propose candidate pairs, and only those are checked with the exact ROUGE-L.
 */

/** Lower-cased word tokens, as ROUGE's default tokenizer sees them (letters and digits). */
export function words(text: string, limit = 256): string[] {
  const found = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return found.length > limit ? found.slice(0, limit) : found;
}

/** ROUGE-L F-measure (LCS of word sequences). */
export function rougeL(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const previous = new Uint16Array(b.length + 1);
  const current = new Uint16Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    const word = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      current[j] = word === b[j - 1] ? (previous[j - 1] ?? 0) + 1 : Math.max(previous[j] ?? 0, current[j - 1] ?? 0);
    }
    previous.set(current);
  }
  const lcs = previous[b.length] ?? 0;
  if (lcs === 0) return 0;
  const precision = lcs / a.length;
  const recall = lcs / b.length;
  return (2 * precision * recall) / (precision + recall);
}

const bands = 10;
const rows = 3;
const hashCount = bands * rows;
// Fixed odd multipliers and offsets: the same signature in every run (results must be stable).
const multipliers = Uint32Array.from({ length: hashCount }, (_, index) => (Math.imul(index + 1, 0x9e3779b1) | 1) >>> 0);
const offsets = Uint32Array.from({ length: hashCount }, (_, index) => Math.imul(index + 7, 0x85ebca6b) >>> 0);

function hashWord(word: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < word.length; index++) hash = Math.imul(hash ^ word.charCodeAt(index), 0x01000193);
  return hash >>> 0;
}

/** The LSH band keys of a word list: records that share any band key are candidates. */
export function bandKeys(tokens: readonly string[]): string[] {
  const minimums = new Uint32Array(hashCount).fill(0xffffffff);
  const seen = new Set<string>();
  for (const token of tokens) {
    if (seen.has(token)) continue;
    seen.add(token);
    const base = hashWord(token);
    for (let index = 0; index < hashCount; index++) {
      const value = (Math.imul(base, multipliers[index] ?? 1) + (offsets[index] ?? 0)) >>> 0;
      if (value < (minimums[index] ?? 0)) minimums[index] = value;
    }
  }
  const keys: string[] = [];
  for (let band = 0; band < bands; band++) {
    let key = `${band}:`;
    for (let row = 0; row < rows; row++) key += `${(minimums[band * rows + row] ?? 0).toString(36)},`;
    keys.push(key);
  }
  return keys;
}

/** Each bucket compares a new item with at most this many earlier ones, so a very common band cannot make the work quadratic. */
const bucketCheckLimit = 32;

export interface NearDuplicateMatch<T> {
  item: T;
  /** The earlier item it nearly repeats. */
  original: T;
  score: number;
}

/**
 * Finds items whose text nearly repeats an earlier item's (ROUGE-L >= threshold). Exact repeats are
 * left to the exact-duplicate rule and skipped here. Texts with fewer than `minWords` words are
 * ignored (short prompts like "Hi" collide by nature).
 */
export function findNearDuplicates<T>(items: readonly { item: T; text: string }[], threshold: number, minWords = 4): NearDuplicateMatch<T>[] {
  const buckets = new Map<string, number[]>();
  const tokenLists: (string[] | undefined)[] = [];
  const matches: NearDuplicateMatch<T>[] = [];
  const texts = items.map((entry) => entry.text);
  items.forEach((entry, index) => {
    const tokens = words(entry.text);
    tokenLists.push(tokens);
    if (tokens.length < minWords) return;
    const checked = new Set<number>();
    let best: { index: number; score: number } | undefined;
    const keys = bandKeys(tokens);
    for (const key of keys) {
      const bucket = buckets.get(key);
      if (bucket === undefined) {
        buckets.set(key, [index]);
        continue;
      }
      for (let position = bucket.length - 1, seen = 0; position >= 0 && seen < bucketCheckLimit; position--, seen++) {
        const other = bucket[position] ?? 0;
        if (checked.has(other)) continue;
        checked.add(other);
        if (texts[other] === entry.text) continue; // exact duplicate: another rule
        const score = rougeL(tokens, tokenLists[other] ?? []);
        if (score >= threshold && (best === undefined || score > best.score)) best = { index: other, score };
      }
      if (bucket.length < 4096) bucket.push(index);
    }
    const original = best !== undefined ? items[best.index] : undefined;
    if (best !== undefined && original !== undefined) matches.push({ item: entry.item, original: original.item, score: best.score });
  });
  return matches;
}
