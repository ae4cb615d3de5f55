/**
 * Near-duplicate instructions, in the spirit of self-instruct's filter (ROUGE-L F >= 0.7), scaled
 * to 100k records: locality-sensitive hashing over the set of content words (stopwords left out, so
 * that unrelated prompts rarely collide; bottom-3 sketches, see `bands`) proposes candidate pairs;
 * only those are checked with the exact ROUGE-L over all words (after cheap exact upper bounds).
 *
 * Also the cheap conversation hash used to find exact duplicates.
 */
import type { Conversation } from './conversation';

/**
 * Lower-cased word tokens, as the signatures hash them (see wordCharacters): ROUGE's default
 * tokenizer, widened from [a-z0-9] to the letters and digits of every script.
 */
export function words(text: string, limit = 256): string[] {
  const found: string[] = [];
  let current = '';
  for (let position = 0; position <= text.length && found.length < limit; position++) {
    const mapped = position < text.length ? wordCharacters[text.charCodeAt(position)] ?? 0 : 0;
    if (mapped !== 0) current += String.fromCharCode(mapped);
    else if (current.length > 0) {
      found.push(current);
      current = '';
    }
  }
  return found;
}

/** ROUGE-L F-measure (LCS of word sequences). */
export function rougeL<T>(a: ArrayLike<T>, b: ArrayLike<T>): number {
  if (a.length === 0 || b.length === 0) return 0;
  const previous = new Uint16Array(b.length + 1);
  const current = new Uint16Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    const word = a[i - 1];
    current[0] = 0;
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

/**
 * LSH bands. Each band is a bottom-k sketch: the k content words with the smallest hash under the
 * band's own hash function. Two instructions share a band when those k words are the same, which
 * needs k shared content words: for content-word Jaccard J about J^k, like k MinHash rows, but
 * unrelated prompts that share fewer than k common words never collide (with independent MinHash
 * rows they did, and were compared for nothing), and it costs one hash per word and band instead
 * of k. Every instruction with three distinct content words or more gets `wideBands` bottom-3
 * bands; short ones (at most `shortContent` content words, where one changed word moves the
 * bottom-3 a lot) get `shortBands` bottom-2 bands as well.
 */
const wideBands = 12;
const shortBands = 12;
const shortContent = 6;
/** The most bands a signature has. */
export const maxBands = wideBands + shortBands;
/** The bands of most signatures (all but the short ones). */
export const typicalBands = wideBands;
/** Murmur3's finaliser: a well-mixed 32-bit value from a small integer. */
function mix32(value: number): number {
  let hash = value ^ (value >>> 16);
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return hash ^ (hash >>> 16);
}
// Fixed odd multipliers and offsets, the same in every run (results must be stable), and unrelated
// to each other: multipliers in arithmetic progression gave correlated bands (recall varied 93-96%).
const multipliers = Int32Array.from({ length: maxBands }, (_, index) => mix32(2 * index + 1) | 1);
const offsets = Int32Array.from({ length: maxBands }, (_, index) => mix32(2 * index + 2));

const stopwordList = 'a an the and or but if then else of to in on at by for with from as into onto about over under is are was were be been being am do does did done have has had having it its this that these those there here i you he she we they me him her us them my your his our their what which who whom whose when where why how not no yes can could would should will shall may might must so than too very just also only all any some each every more most other such own same both few many much one two please write give make tell list explain describe provide create generate following below above using use'.split(' ');
// The pieces of contractions an apostrophe splits off ("What's", "don't", "we'll"): stopwords too, or "What's the capital of
// Australia?" would have three content words and pass as a near-duplicate of "What's the capital of Canada?". "won" (of
// "won't") is a word too ("Who won the cup?"), but as a stopword it only leaves the bands, never the score.
stopwordList.push(...'s t d ll re ve m isn aren wasn weren don doesn didn hasn haven hadn wouldn shouldn couldn won shan ain needn mustn mightn'.split(' '));

function hashWord(word: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < word.length; index++) hash = Math.imul(hash ^ word.charCodeAt(index), 0x01000193);
  return hash & 0x3fffffff;
}

/**
 * Stopword hashes in a collision-free table: the multiplier is searched once (deterministically)
 * so that every stopword has its own slot, and a lookup is one load and one comparison, no probing
 * loop (a Set lookup per word cost more than the rest of the scan).
 */
const stopwordBits = 12;
const stopwordTable = new Int32Array(1 << stopwordBits);
let stopwordMultiplier = 0;
for (let attempt = 1; stopwordMultiplier === 0; attempt++) {
  const candidate = mix32(attempt) | 1;
  stopwordTable.fill(-1);
  let collided = false;
  for (const word of stopwordList) {
    const hash = hashWord(word);
    const slot = Math.imul(hash, candidate) >>> (32 - stopwordBits);
    if (stopwordTable[slot] !== -1 && stopwordTable[slot] !== hash) collided = true;
    stopwordTable[slot] = hash;
  }
  if (!collided) stopwordMultiplier = candidate;
}
function isStopword(hash: number): boolean {
  return stopwordTable[Math.imul(hash, stopwordMultiplier) >>> (32 - stopwordBits)] === hash;
}

/** At most this many words of an instruction are signed (long prompts are compared by their start). */
export const maxWords = 128;
/** Instructions with fewer content words are signed by all their words (see signInstruction)... */
export const minContentWords = 3;
/**
 * ...when they have at least this many distinct words; shorter ones ("Hi there!", "Translate to
 * Italian: no") are not compared: one word changed in four is still ROUGE-L 0.75, so templated
 * one-word prompts would all be reported.
 */
export const minShortWords = 5;

export interface InstructionSignature {
  /** Hashes of the words in order (all words, up to maxWords): ROUGE-L runs over these. */
  words: number[];
  /** LSH band hashes of the content words (of all words when fewer than three are content words), or null when there are too few to compare. */
  bands: number[] | null;
  /** The instruction has more than maxWords words: `words` are its start. */
  cut?: boolean;
}

/** The bit of a word in the 60-bit word filter kept with each signature (0..59; two 30-bit halves). */
function filterBit(word: number): number {
  return ((Math.imul(word, 0x2545f491) >>> 16) * 60) >>> 16;
}

/** Whether a word's bit is set in a word filter (its two 30-bit halves). */
function inFilter(bit: number, low: number, high: number): number {
  const inHigh = (bit + 2) >>> 5;
  return ((inHigh === 1 ? high : low) >>> (bit - 30 * inHigh)) & 1;
}

// Scratch for one signature at a time: allocations per record would dominate garbage collection.
const scratchWords = new Int32Array(maxWords);
const scratchContent = new Int32Array(maxWords);
const scratchCodes = new Uint16Array(1 + 2 * maxBands + 4 + 2 * maxWords + 1);
// Every character of a packed signature is below 0x8000 (no surrogates), so decoding its UTF-16
// bytes is exact, and cheaper than String.fromCharCode.apply over an array grown by push.
const utf16 = new TextDecoder('utf-16le');
/** Above every 30-bit band value. */
const noValue = 0x40000000;

/** Combines a band's index and its sketch into a non-negative 30-bit band hash. */
function bandHash(band: number, first: number, second: number, third: number): number {
  return (Math.imul(Math.imul(Math.imul(band + 0x27d4eb2d, 0x01000193) ^ first, 0x01000193) ^ second, 0x01000193) ^ third) & 0x3fffffff;
}

/**
 * Each UTF-16 code unit as a word character (lower-cased) or 0 (a separator). ROUGE's tokenizer
 * keeps [a-z0-9] after lower-casing; here letters, digits and combining marks of every script are
 * word characters too, lower-cased one unit to one unit ("ÉTÉ" is "été", not "t"). Punctuation,
 * symbols and spaces past ASCII separate words as ASCII ones do: a no-break space, a dash or a
 * curly apostrophe joining two words made one long word and hid the pair. Surrogates (emoji,
 * mostly) are separators, as in ROUGE.
 */
const wordCharacters = new Uint16Array(65536);
for (let code = 48; code <= 57; code++) wordCharacters[code] = code;
for (let code = 97; code <= 122; code++) wordCharacters[code] = code;
for (let code = 65; code <= 90; code++) wordCharacters[code] = code + 32;
{
  const wordCharacter = /[\p{L}\p{N}\p{M}]/u;
  for (let code = 128; code < 0xd800; code++) markWordCharacter(code, wordCharacter);
  for (let code = 0xe000; code < 65536; code++) markWordCharacter(code, wordCharacter);
}
function markWordCharacter(code: number, wordCharacter: RegExp): void {
  const character = String.fromCharCode(code);
  if (!wordCharacter.test(character)) return;
  const lower = character.toLowerCase();
  wordCharacters[code] = lower.length === 1 ? lower.charCodeAt(0) : code;
}
const wordSeed = 0x811c9dc5 | 0;

/** Set by scanWords: the text has more words than it hashed (maxWords). */
let scratchCut = false;

/**
 * Hashes the words of `text` into scratchWords (at most maxWords) and returns how many: FNV-1a of
 * each lower-cased word, without branches per character (word ends mispredicted about once in six
 * characters and doubled the time): every character stores the word so far, and the count only
 * moves on where a word ends.
 */
function scanWords(text: string): number {
  let count = 0;
  let hash = wordSeed;
  let inPrevious = 0;
  const end = text.length;
  let position = 0;
  for (; position < end && count < maxWords; position++) {
    const mapped = wordCharacters[text.charCodeAt(position)];
    const inWord = (mapped | -mapped) >>> 31;
    // 30-bit hashes stay small integers in V8 (no boxed numbers: far less memory and GC).
    scratchWords[count] = hash & 0x3fffffff;
    count += inPrevious & (inWord ^ 1);
    const next = Math.imul(hash ^ mapped, 0x01000193);
    hash = wordSeed ^ ((next ^ wordSeed) & -inWord);
    inPrevious = inWord;
  }
  if (inPrevious === 1 && count < maxWords) scratchWords[count++] = hash & 0x3fffffff;
  // Stopped at maxWords: cut when a word follows (an instruction of exactly maxWords words is whole).
  scratchCut = false;
  if (count === maxWords) for (; position < end && !scratchCut; position++) scratchCut = wordCharacters[text.charCodeAt(position)] !== 0;
  return count;
}

/**
 * The packed signature of an instruction (see PackedSignature): words are hashed as they are read
 * (no substrings allocated), stopwords are left out of the bands.
 */
export function signInstruction(text: string): PackedSignature {
  const count = scanWords(text);
  let content = 0;
  let filterLow = 0;
  let filterHigh = 0;
  for (let index = 0; index < count; index++) {
    const word = scratchWords[index];
    // No branch on which half takes the bit (they are random).
    const bit = filterBit(word);
    const inHigh = (bit + 2) >>> 5;
    const mask = 1 << (bit - 30 * inHigh);
    filterLow |= mask & (inHigh - 1);
    filterHigh |= mask & -inHigh;
    if (isStopword(word)) continue;
    // Distinct content words (a handful per instruction: a linear search is cheapest).
    let seen = 0;
    while (seen < content && scratchContent[seen] !== word) seen++;
    if (seen === content) scratchContent[content++] = word;
  }
  // Few content words ("Write a poem about love", "Explain what a list is in Python"): all the
  // distinct words are signed instead, in the two-word bands. Such prompts are common, and were
  // never compared, not even when repeated word for word with another answer.
  const wide = content >= minContentWords;
  // With two content words, also the bands that an instruction with three to six content words
  // would have if those two were its two smallest: "Write a poem about love" and "Write a short
  // poem about love and loss" (ROUGE-L 0.77) share no band of all words, but may share these.
  const pairFirst = !wide && content === 2 ? scratchContent[0] : -1;
  const pairSecond = !wide && content === 2 ? scratchContent[1] : -1;
  if (!wide) {
    content = distinctWords(scratchWords, count, scratchContent, false);
    if (content < minShortWords) content = 0;
  }
  const codes = scratchCodes;
  let length = 1;
  codes[0] = 0;
  if (content > 0) {
    // Values are 30-bit, so differences never overflow and min/max are branch-free arithmetic:
    // with d = a - b, min(a, b) = b + (d & (d >> 31)) and max(a, b) = a - (d & (d >> 31)).
    // (Conditional expressions compiled to branches that mispredicted half the time: 2.5x slower.)
    // Two bands per pass over the words (half the loop overhead and loads; wideBands is even).
    for (let band = 0; band < wideBands && wide; band += 2) {
      const multiplier = multipliers[band];
      const offset = offsets[band];
      const otherMultiplier = multipliers[band + 1];
      const otherOffset = offsets[band + 1];
      // The three smallest values of each (the words are distinct, so are their values but for rare collisions).
      let first = noValue;
      let second = noValue;
      let third = noValue;
      let otherFirst = noValue;
      let otherSecond = noValue;
      let otherThird = noValue;
      for (let index = 0; index < content; index++) {
        const word = scratchContent[index];
        // first <= second <= third: the new first is min(first, v), max(first, v) is pushed on to
        // the second place, and what that pushes out on to the third.
        const value = (Math.imul(word, multiplier) + offset) >>> 2;
        let difference = first - value;
        let below = difference & (difference >> 31);
        let pushedFirst = first - below;
        first = value + below;
        difference = second - pushedFirst;
        below = difference & (difference >> 31);
        let pushedSecond = second - below;
        second = pushedFirst + below;
        difference = third - pushedSecond;
        third = pushedSecond + (difference & (difference >> 31));
        const otherValue = (Math.imul(word, otherMultiplier) + otherOffset) >>> 2;
        difference = otherFirst - otherValue;
        below = difference & (difference >> 31);
        pushedFirst = otherFirst - below;
        otherFirst = otherValue + below;
        difference = otherSecond - pushedFirst;
        below = difference & (difference >> 31);
        pushedSecond = otherSecond - below;
        otherSecond = pushedFirst + below;
        difference = otherThird - pushedSecond;
        otherThird = pushedSecond + (difference & (difference >> 31));
      }
      const combined = bandHash(band, first, second, third);
      const otherCombined = bandHash(band + 1, otherFirst, otherSecond, otherThird);
      codes[length++] = combined >>> 15;
      codes[length++] = combined & 0x7fff;
      codes[length++] = otherCombined >>> 15;
      codes[length++] = otherCombined & 0x7fff;
    }
    for (let band = wideBands; band < maxBands && (content <= shortContent || !wide); band++) {
      const multiplier = multipliers[band];
      const offset = offsets[band];
      let first = noValue;
      let second = noValue;
      for (let index = 0; index < content; index++) {
        const value = (Math.imul(scratchContent[index], multiplier) + offset) >>> 2;
        let difference = first - value;
        const below = difference & (difference >> 31);
        const aboveFirst = first - below;
        first = value + below;
        difference = second - aboveFirst;
        second = aboveFirst + (difference & (difference >> 31));
      }
      const combined = bandHash(band, first, second, 0);
      codes[length++] = combined >>> 15;
      codes[length++] = combined & 0x7fff;
    }
    for (let band = wideBands; band < maxBands && pairFirst !== -1; band++) {
      const one = (Math.imul(pairFirst, multipliers[band]) + offsets[band]) >>> 2;
      const other = (Math.imul(pairSecond, multipliers[band]) + offsets[band]) >>> 2;
      const combined = bandHash(band, Math.min(one, other), Math.max(one, other), 0);
      codes[length++] = combined >>> 15;
      codes[length++] = combined & 0x7fff;
    }
    codes[0] = (length - 1) >> 1;
    codes[length++] = filterLow & 0x7fff;
    codes[length++] = filterLow >>> 15;
    codes[length++] = filterHigh & 0x7fff;
    codes[length++] = filterHigh >>> 15;
  }
  for (let index = 0; index < count; index++) {
    codes[length++] = scratchWords[index] >>> 15;
    codes[length++] = scratchWords[index] & 0x7fff;
  }
  if (scratchCut) codes[length++] = cutMark;
  return utf16.decode(codes.subarray(0, length));
}

/** The signature of an instruction as an object (tests and tools; the index keeps packed ones). */
export function instructionSignature(text: string): InstructionSignature {
  const packed = signInstruction(text);
  const bandList: number[] | null = packedHasBands(packed) ? Array.from({ length: packedBandCount(packed) }, (_, index) => packedBand(packed, index)) : null;
  return { words: unpackWords(packed, []), bands: bandList, ...(packedIsCut(packed) ? { cut: true } : {}) };
}

/** Mixes a string's length and samples of its start, middle and end into the hash. */
function mixString(hash: number, text: string): number {
  let h = Math.imul(hash ^ text.length, 0x01000193);
  const length = text.length;
  if (length <= 96) {
    for (let index = 0; index < length; index++) h = Math.imul(h ^ text.charCodeAt(index), 0x01000193);
    return h;
  }
  for (let index = 0; index < 32; index++) h = Math.imul(h ^ text.charCodeAt(index), 0x01000193);
  const middle = (length >> 1) - 16;
  for (let index = middle; index < middle + 32; index++) h = Math.imul(h ^ text.charCodeAt(index), 0x01000193);
  for (let index = length - 32; index < length; index++) h = Math.imul(h ^ text.charCodeAt(index), 0x01000193);
  return h;
}

/**
 * A hash of the conversation (roles, texts, tool calls) that reads only samples of each text:
 * equal conversations always hash equal; a match is confirmed with the full key.
 */
export function conversationSampleHash(conversation: Conversation): number {
  let hash = 0x811c9dc5;
  for (const turn of conversation.turns) {
    hash = mixString(hash, turn.role ?? turn.writtenRole);
    hash = mixString(hash, turn.content);
    for (const call of turn.toolCalls) hash = mixString(hash, call.name ?? '');
  }
  if (conversation.rejected !== undefined) for (const turn of conversation.rejected) hash = mixString(hash, turn.content);
  return hash & 0x3fffffff;
}

/**
 * An instruction signature packed into one string, as kept per record: the number of bands (0:
 * not compared); when it has bands, the bands (each 30-bit hash as two 15-bit characters) and a
 * 60-bit filter of its words (four 15-bit characters); then the word hashes, two characters each;
 * then, when the instruction has more words than those (see packedIsCut), one more character.
 * One string instead of an object and two arrays: about 260 bytes less per record on a 100k-record
 * file. Equal strings mean equal words (the bands and the filter follow from the words).
 */
export type PackedSignature = string;

/** The character that ends the signature of an instruction cut at maxWords words (any would do: only the odd length counts). */
const cutMark = 0x7fff;

export function packSignature(signature: InstructionSignature): PackedSignature {
  const bandList = signature.bands ?? [];
  const codes: number[] = [bandList.length];
  if (bandList.length > 0) {
    for (const band of bandList) codes.push(band >>> 15, band & 0x7fff);
    let low = 0;
    let high = 0;
    for (const word of signature.words) {
      const bit = filterBit(word);
      if (bit < 30) low |= 1 << bit;
      else high |= 1 << (bit - 30);
    }
    codes.push(low & 0x7fff, low >>> 15, high & 0x7fff, high >>> 15);
  }
  for (const word of signature.words) codes.push(word >>> 15, word & 0x7fff);
  if (signature.cut === true) codes.push(cutMark);
  return String.fromCharCode.apply(null, codes);
}

export function packedHasBands(packed: PackedSignature): boolean {
  return packed.charCodeAt(0) > 0;
}

/** How many bands a packed signature has (0: it is not compared). */
export function packedBandCount(packed: PackedSignature): number {
  return packed.length > 0 ? packed.charCodeAt(0) : 0;
}

/** Band `index` of a packed signature (below its band count). */
export function packedBand(packed: PackedSignature, index: number): number {
  return (packed.charCodeAt(1 + 2 * index) << 15) | packed.charCodeAt(2 + 2 * index);
}

/** Where the word filter of a packed signature with bands starts. */
function packedFilterStart(packed: PackedSignature): number {
  return 1 + 2 * packed.charCodeAt(0);
}

function packedWordsStart(packed: PackedSignature): number {
  const bandTotal = packed.charCodeAt(0);
  return bandTotal > 0 ? 1 + 2 * bandTotal + 4 : 1;
}

/** How many word hashes a packed signature holds. */
export function packedWordCount(packed: PackedSignature): number {
  return (packed.length - packedWordsStart(packed)) >> 1;
}

/** Whether a signature holds only the start of its instruction (the first maxWords words): scores are then of that start. */
export function packedIsCut(packed: PackedSignature): boolean {
  return ((packed.length - packedWordsStart(packed)) & 1) === 1;
}

/** The word hashes of a packed signature, written into `out` (reused by the caller). */
export function unpackWords(packed: PackedSignature, out: number[]): number[] {
  out.length = 0;
  for (let position = packedWordsStart(packed); position + 1 < packed.length; position += 2) out.push((packed.charCodeAt(position) << 15) | packed.charCodeAt(position + 1));
  return out;
}

const scratchOther: number[] = [];
const scratchMine: number[] = [];
const scratchTheirs: number[] = [];

/**
 * Writes the distinct words of `words` (only the content words, not stopwords, when `contentOnly`) into `out`
 * (reused), in order; returns how many. A handful per instruction: a linear search is cheapest.
 */
function distinctWords(words: ArrayLike<number>, count: number, out: Int32Array | number[], contentOnly: boolean): number {
  let distinct = 0;
  for (let index = 0; index < count; index++) {
    const word = words[index] as number;
    if (contentOnly && isStopword(word)) continue;
    let seen = 0;
    while (seen < distinct && out[seen] !== word) seen++;
    if (seen === distinct) out[distinct++] = word;
  }
  return distinct;
}

/**
 * Whether two Alpaca inputs under near-duplicate instructions hold the same thing, as the instructions do: ROUGE-L at
 * least `threshold`, and when the shorter has fewer than minContentWords content words, every one of them in the other.
 * One instruction with different inputs ("Classify this word: Happiness" / "...: Quickly", or Dolphin's shared system
 * prompt above each question) makes different examples.
 */
export function inputsAlike(a: PackedSignature, b: PackedSignature, threshold: number): boolean {
  if (a === b) return true;
  const first = unpackWords(a, []);
  const second = unpackWords(b, []);
  if (rougeL(first, second) < threshold) return false;
  const firstContent: number[] = [];
  const secondContent: number[] = [];
  const firstCount = distinctWords(first, first.length, firstContent, true);
  const secondCount = distinctWords(second, second.length, secondContent, true);
  const [shorter, longer] = firstCount <= secondCount ? [firstContent, secondContent] : [secondContent, firstContent];
  return shorter.length >= minContentWords || shorter.every((word) => longer.includes(word));
}

/**
 * Exact ROUGE-L of one signature (loaded once) against many others, fast: most candidates from
 * the LSH are unrelated, and an upper bound rejects them before any LCS. The LCS is at most the
 * number of loaded words whose bit is set in the other's word filter, and at most the shorter
 * length; when 2 * bound / (m + n) is below the threshold, ROUGE-L F (= 2 * LCS / (m + n)) is too.
 * Survivors get the exact LCS, bit-parallel (Allison-Dix / Hyyro: one add and a few bit operations
 * per word of the other, on ceil(m / 32) 32-bit blocks) instead of the m * n table.
 */
export class RougeVerifier {
  private readonly own = new Int32Array(maxWords);
  private ownCount = 0;
  private packed: PackedSignature = '';
  // Loaded words -> bit masks of their positions (for the LCS), built only when a candidate passes the bound.
  private tableReady = false;
  private readonly tableKeys = new Int32Array(2 * maxWords).fill(-1);
  private readonly tableMasks = new Int32Array(2 * maxWords * (maxWords / 32));
  private readonly usedSlots = new Int32Array(maxWords);
  private usedCount = 0;
  private readonly vector = new Int32Array(maxWords / 32);

  /** Loads the signature that the next scores are measured from. */
  load(packed: PackedSignature): void {
    this.packed = packed;
    this.ownCount = 0;
    for (let position = packedWordsStart(packed); position + 1 < packed.length; position += 2) this.own[this.ownCount++] = (packed.charCodeAt(position) << 15) | packed.charCodeAt(position + 1);
    this.tableReady = false;
  }

  get loaded(): PackedSignature {
    return this.packed;
  }

  private buildTable(): void {
    const keys = this.tableKeys;
    const masks = this.tableMasks;
    for (let index = 0; index < this.usedCount; index++) {
      const slot = this.usedSlots[index];
      keys[slot] = -1;
      for (let block = 0; block < 4; block++) masks[slot * 4 + block] = 0;
    }
    this.usedCount = 0;
    const mask = keys.length - 1;
    for (let position = 0; position < this.ownCount; position++) {
      const word = this.own[position];
      let slot = Math.imul(word, 0x9e3779b1) >>> 24;
      while (keys[slot] !== -1 && keys[slot] !== word) slot = (slot + 1) & mask;
      if (keys[slot] === -1) {
        keys[slot] = word;
        this.usedSlots[this.usedCount++] = slot;
      }
      masks[slot * 4 + (position >> 5)] |= 1 << (position & 31);
    }
    this.tableReady = true;
  }

  /**
   * Whether the shorter of the two instructions in content words, when it has fewer than
   * minContentWords of them, keeps every one in the other: "What is the capital of Australia?" and
   * "... of Canada?" score ROUGE-L 0.83 but ask about other subjects (a templated question), while
   * "Write a poem about love" is repeated by "Write a short poem about love and loss".
   */
  keepsShortContent(other: PackedSignature): boolean {
    const otherWords = unpackWords(other, scratchOther);
    const mine = distinctWords(this.own, this.ownCount, scratchMine, true);
    const theirs = distinctWords(otherWords, otherWords.length, scratchTheirs, true);
    const shorterCount = Math.min(mine, theirs);
    if (shorterCount >= minContentWords) return true;
    const shorter = mine <= theirs ? scratchMine : scratchTheirs;
    const longer = mine <= theirs ? otherWords : this.own;
    const longerCount = mine <= theirs ? otherWords.length : this.ownCount;
    for (let index = 0; index < shorterCount; index++) {
      let found = false;
      for (let position = 0; position < longerCount && !found; position++) found = longer[position] === shorter[index];
      if (!found) return false;
    }
    return true;
  }

  /**
   * ROUGE-L F of the loaded signature (as the first argument of rougeL) against `other`, or -1
   * when it is surely below `threshold`. Both must have bands (so both carry word filters).
   */
  score(other: PackedSignature, threshold: number): number {
    const m = this.ownCount;
    const wordsStart = packedWordsStart(other);
    const n = (other.length - wordsStart) >> 1;
    if (m === 0 || n === 0) return -1;
    // Margin: bounds are compared a hair below the threshold so that rounding never drops a pair.
    const limit = threshold * (m + n) * 0.5 - 1e-9;
    if (Math.min(m, n) < limit) return -1;
    const filterStart = packedFilterStart(other);
    const low = other.charCodeAt(filterStart) | (other.charCodeAt(filterStart + 1) << 15);
    const high = other.charCodeAt(filterStart + 2) | (other.charCodeAt(filterStart + 3) << 15);
    let bound = 0;
    for (let position = 0; position < m; position++) bound += inFilter(filterBit(this.own[position]), low, high);
    if (bound < limit) return -1;
    const lcs = this.lcs(other, wordsStart, n);
    if (lcs === 0) return 0;
    const precision = lcs / m;
    const recall = lcs / n;
    return (2 * precision * recall) / (precision + recall);
  }

  /** LCS length of the loaded words and `other`'s n words (from wordsStart). */
  private lcs(other: PackedSignature, wordsStart: number, n: number): number {
    if (!this.tableReady) this.buildTable();
    const keys = this.tableKeys;
    const masks = this.tableMasks;
    const tableMask = keys.length - 1;
    const blocks = (this.ownCount + 31) >> 5;
    const vector = this.vector;
    for (let block = 0; block < blocks; block++) vector[block] = -1;
    let position = wordsStart;
    for (let index = 0; index < n; index++, position += 2) {
      const word = (other.charCodeAt(position) << 15) | other.charCodeAt(position + 1);
      let slot = Math.imul(word, 0x9e3779b1) >>> 24;
      let found = -1;
      for (;;) {
        const key = keys[slot];
        if (key === word) {
          found = slot;
          break;
        }
        if (key === -1) break;
        slot = (slot + 1) & tableMask;
      }
      if (found < 0) continue; // no match: the vector stays as it is
      // V' = (V + (V & M)) | (V & ~M), with the carry running across the blocks.
      let carry = 0;
      for (let block = 0; block < blocks; block++) {
        const v = vector[block] >>> 0;
        const match = masks[found * 4 + block];
        const sum = v + ((v & match) >>> 0) + carry;
        carry = sum > 0xffffffff ? 1 : 0;
        vector[block] = (sum >>> 0) | (v & ~match);
      }
    }
    // Bits past the loaded length stay set; each zero bit is one matched word.
    let ones = 0;
    for (let block = 0; block < blocks; block++) {
      let value = vector[block];
      value = value - ((value >>> 1) & 0x55555555);
      value = (value & 0x33333333) + ((value >>> 2) & 0x33333333);
      ones += (Math.imul((value + (value >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
    }
    return blocks * 32 - ones;
  }
}
