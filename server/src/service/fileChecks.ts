/**
 * File-level rules: exact duplicates (within the file and across files: train/eval leakage),
 * near-duplicate instructions and too few examples.
 *
 * Each document keeps an index (duplicate groups by conversation hash; LSH buckets and verified
 * near-duplicate links) that is updated with only the records an edit added or removed, so a
 * one-line edit in a 100k-record file does not recompute the whole file.
 */
import { analyseRecord, cachedSummary, duplicateKeyOf, summaryOf, type RecordSummary } from './analysis';
import { BandMap } from './bandMap';
import type { RecordFormat } from '../../../protocol/messages';
import { formatOfShape } from './conversation';
import type { DatasetDocument, DatasetRecord } from './document';
import type { FileFacts } from './fileFacts';
import { cacheOf, type RecordCache } from './recordCache';
import { inputsAlike, packedBand, packedBandCount, packedHasBands, maxWords, packedIsCut, RougeVerifier, typicalBands, type PackedSignature } from './nearDuplicates';
import type { FileProblem, FixData, ProblemTarget } from './rules/rule';
import { severityOf } from './rules/index';
// linter.ts imports this module too; recordProblems is only called at run time, so the cycle is harmless.
import { recordProblems } from './linter';
import { layoutlessChatFitsFile, mixedFormatMessage, mixedFormatRuleId, mixedPreferenceLayoutMessage } from './rules/mixed-formats';
import { completionWithoutOutput } from './rules/missing-field';
import { isObject } from './rules/util';

/** Where a record lives in another file (for leakage messages). */
export interface RecordLocation {
  uri: string;
  /** 0-based line of the record's start. */
  line: number;
}

/** A new record is compared (ROUGE-L) with at most this many candidates, so templated data stays linear. */
const candidateLimit = 32;
/** Each bucket offers at most this many of its most recent members as candidates. */
const bucketCheckLimit = 8;
/** ...and, when it has more, this many of its earliest members (bulk-indexed ones). */
const earliestCheckLimit = 4;
/** Entries of a bulk band group an edit's search looks through at most, removed records included. */
const removedScanLimit = 64;
/** Members kept per bucket (a band shared by thousands of records says nothing). */
const bucketSizeLimit = 256;
/**
 * In bulk, a record stops looking for earlier near-duplicates once it has this many: one names it,
 * and a templated file, where every record nearly repeats every other, would otherwise verify and
 * link each record dozens of times (most of its lint time and memory).
 */
const bulkLinkLimit = 3;

/** Scratch list of the candidate slots compared for the record being added (one record at a time). */
const checkedCandidates: number[] = [];
/** Exact ROUGE-L of one record against its candidates, with cheap bounds first (one record at a time). */
const verifier = new RougeVerifier();

/** Entries a stepwise sort or filter handles between two pauses: a few milliseconds of work. */
const entriesPerStep = 1 << 16;

/** Runs a stepwise computation to its end at once (the command line, and callers that may hold the thread). */
function runSteps<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

/**
 * Sorts `keys` (non-negative 30-bit integers) with their `values`, stably: three passes of a
 * 10-bit radix sort, far cheaper than a million hash-table inserts with their cache misses. It stops
 * after every `entriesPerStep` entries, so that a server sorting a large file's bands answers requests
 * in between (the loops themselves are plain functions, which the compiler optimises as usual).
 */
function* sortByKeySteps(keys: Int32Array, values: Int32Array, keepInput = false): Generator<void, { keys: Int32Array; values: Int32Array }> {
  const length = keys.length;
  let sourceKeys: Int32Array = keys;
  let sourceValues: Int32Array = values;
  let targetKeys: Int32Array = new Int32Array(length);
  let targetValues: Int32Array = new Int32Array(length);
  // The second pass writes into the first pass's source, unless that must stay as it is (read meanwhile).
  let spareKeys: Int32Array | undefined = keepInput ? new Int32Array(length) : undefined;
  let spareValues: Int32Array | undefined = keepInput ? new Int32Array(length) : undefined;
  const counts = new Int32Array(1024);
  for (let shift = 0; shift < 30; shift += 10) {
    counts.fill(0);
    for (let from = 0; from < length; from += entriesPerStep) {
      countDigits(sourceKeys, shift, from, Math.min(length, from + entriesPerStep), counts);
      yield;
    }
    let total = 0;
    for (let digit = 0; digit < 1024; digit++) {
      const count = counts[digit];
      counts[digit] = total;
      total += count;
    }
    for (let from = 0; from < length; from += entriesPerStep) {
      scatterByDigit(sourceKeys, sourceValues, shift, from, Math.min(length, from + entriesPerStep), counts, targetKeys, targetValues);
      yield;
    }
    [sourceKeys, targetKeys] = [targetKeys, spareKeys ?? sourceKeys];
    [sourceValues, targetValues] = [targetValues, spareValues ?? sourceValues];
    spareKeys = undefined;
    spareValues = undefined;
  }
  return { keys: sourceKeys, values: sourceValues };
}

function countDigits(keys: Int32Array, shift: number, from: number, to: number, counts: Int32Array): void {
  for (let index = from; index < to; index++) counts[(keys[index] >>> shift) & 1023]++;
}

/** Moves entries from..to to their places by the digit at `shift` (`offsets`: each digit's next free place). */
function scatterByDigit(keys: Int32Array, values: Int32Array, shift: number, from: number, to: number, offsets: Int32Array, targetKeys: Int32Array, targetValues: Int32Array): void {
  for (let index = from; index < to; index++) {
    const key = keys[index];
    const at = offsets[(key >>> shift) & 1023]++;
    targetKeys[at] = key;
    targetValues[at] = values[index];
  }
}

/**
 * The entries whose key may occur more than once (all that do, and a few that do not): most bands
 * are unique to their record, and sorting only the others is several times cheaper. Two bitmaps
 * over some bits of the keys (seen once, seen again); a second round over the survivors, on other
 * bits, drops most of the keys that only shared bits in the first. The bitmaps stay small enough
 * for the processor's cache. Stepwise, as sortByKeySteps.
 */
function* sharedEntrySteps(keys: Int32Array, values: Int32Array): Generator<void, [Int32Array, Int32Array]> {
  const first = yield* filterSharedSteps(keys, values, 0);
  return yield* filterSharedSteps(first[0], first[1], 1);
}

function* filterSharedSteps(keys: Int32Array, values: Int32Array, round: number): Generator<void, [Int32Array, Int32Array]> {
  let bits = 12;
  while (bits < 22 && 1 << bits < keys.length * 4) bits++;
  const shift = 32 - bits;
  // Round 0 uses the keys' top bits as they are (keys are 30-bit); round 1 the top bits of a multiple.
  const multiplier = round === 0 ? 4 : 0x9e3779b1;
  const seen = new Int32Array(1 << (bits - 5));
  const again = new Int32Array(1 << (bits - 5));
  for (let from = 0; from < keys.length; from += entriesPerStep) {
    markRepeatedBuckets(keys, multiplier, shift, from, Math.min(keys.length, from + entriesPerStep), seen, again);
    yield;
  }
  const kept = new Int32Array(keys.length);
  let count = 0;
  for (let from = 0; from < keys.length; from += entriesPerStep) {
    count = keepRepeated(keys, multiplier, shift, from, Math.min(keys.length, from + entriesPerStep), again, kept, count);
    yield;
  }
  const sharedKeys = new Int32Array(count);
  const sharedValues = new Int32Array(count);
  for (let from = 0; from < count; from += entriesPerStep) {
    gather(keys, values, kept, from, Math.min(count, from + entriesPerStep), sharedKeys, sharedValues);
    yield;
  }
  return [sharedKeys, sharedValues];
}

/** Copies the entries at `positions` from..to into `targetKeys` and `targetValues`, from `from` on. */
function gather(keys: Int32Array, values: Int32Array, positions: Int32Array, from: number, to: number, targetKeys: Int32Array, targetValues: Int32Array): void {
  for (let at = from; at < to; at++) {
    targetKeys[at] = keys[positions[at]];
    targetValues[at] = values[positions[at]];
  }
}

/** Sets each key's bucket bit in `seen`, and in `again` when `seen` had it already. */
function markRepeatedBuckets(keys: Int32Array, multiplier: number, shift: number, from: number, to: number, seen: Int32Array, again: Int32Array): void {
  // Without branches: which way they go is random, so branches mispredicted half the time.
  for (let index = from; index < to; index++) {
    const bucket = Math.imul(keys[index], multiplier) >>> shift;
    const word = bucket >>> 5;
    const bit = 1 << (bucket & 31);
    again[word] |= seen[word] & bit;
    seen[word] |= bit;
  }
}

/** Appends to `kept` (from `count` on) the indexes from..to whose bucket is in `again`; returns the new count. */
function keepRepeated(keys: Int32Array, multiplier: number, shift: number, from: number, to: number, again: Int32Array, kept: Int32Array, count: number): number {
  for (let index = from; index < to; index++) {
    const bucket = Math.imul(keys[index], multiplier) >>> shift;
    kept[count] = index;
    count += (again[bucket >>> 5] >>> (bucket & 31)) & 1;
  }
  return count;
}

/** The first position in sorted `keys` whose key is not less than `key`. */
function lowerBound(keys: Int32Array, key: number): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (keys[middle] < key) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The first position in sorted `keys` whose key is greater than `key`. */
function upperBound(keys: Int32Array, key: number): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (keys[middle] <= key) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * A record's verified near-duplicate partners with their ROUGE-L: two small arrays, not a Map per
 * record (templated files link each record to dozens of others, and Maps made that the hot spot).
 */
export class Partners {
  readonly records: DatasetRecord[] = [];
  readonly scores: number[] = [];

  set(partner: DatasetRecord, score: number): void {
    const at = this.records.indexOf(partner);
    if (at >= 0) this.scores[at] = score;
    else {
      this.records.push(partner);
      this.scores.push(score);
    }
  }

  remove(partner: DatasetRecord): void {
    const at = this.records.indexOf(partner);
    if (at < 0) return;
    this.records.splice(at, 1);
    this.scores.splice(at, 1);
  }
}

/** A KTO (unpaired preference) label written in a record's text. */
const booleanLabel = /"label"\s*:\s*(?:true|false)/;
/** A "label" key of any value (a mistyped one is wrong-type's finding). */
const anyLabel = /"label"\s*:/;

/**
 * Whether a record's prompt may repeat with another answer by design: preference pairs (several
 * pairs per prompt), KTO data (each completion labelled good or bad on its own) and stepwise
 * supervision (TRL's own example repeats a prompt with other steps).
 */
function promptMayRepeat(record: DatasetRecord, summary: RecordSummary, facts: FileFacts): boolean {
  if (summary.detected.startsWith('preference') || summary.detected === 'stepwise' || facts.hint.mapping.columns.kto_tag !== undefined) return true;
  return summary.detected === 'prompt-completion' && booleanLabel.test(record.text);
}

/** The member that comes first in the file (a class's members are kept in the order they were added). */
function firstInFile(members: readonly DatasetRecord[]): DatasetRecord | undefined {
  let first: DatasetRecord | undefined;
  for (const record of members) if (first === undefined || record.index < first.index) first = record;
  return first;
}

/** How many group changes an index remembers for its followers (about two per edited record). */
const hashLogLimit = 4096;

/**
 * The records of one format, in the order they joined the index: a list, appended to, with the records removed since
 * kept aside until they are many. A fresh lint only appends, and a Set of 100k records cost it a hash table grown a step
 * at a time (and the garbage collector's time to copy it); an edit removes a record or two.
 */
export class FormatMembers implements Iterable<DatasetRecord> {
  private list: DatasetRecord[] = [];
  /** Records of `list` no longer in the index. */
  private readonly removed = new Set<DatasetRecord>();

  get size(): number {
    return this.list.length - this.removed.size;
  }

  /** Adds a record that is not in yet (the index adds a record once until it removes it). */
  add(record: DatasetRecord): void {
    // Back where it was (an edit's record removed and added again between two lints).
    if (this.removed.delete(record)) return;
    this.list.push(record);
  }

  /** Removes a record that is in (the index removes what it added, by the format it added it with). */
  delete(record: DatasetRecord): void {
    this.removed.add(record);
    // Kept aside while few (each edit removes the record it replaces, and the list holds it until then): past a
    // sixteenth of the list, the list is written again without them.
    if (this.removed.size > 64 && this.removed.size * 16 > this.list.length) {
      this.list = this.list.filter((member) => !this.removed.has(member));
      this.removed.clear();
    }
  }

  [Symbol.iterator](): Iterator<DatasetRecord> {
    return this.removed.size === 0 ? this.list[Symbol.iterator]() : this.without(this.removed);
  }

  /** The list without the removed records, as it is walked (a reader may stop after the first few). */
  private *without(removed: ReadonlySet<DatasetRecord>): Generator<DatasetRecord> {
    for (const record of this.list) if (!removed.has(record)) yield record;
  }
}

export class DocumentIndex {
  /** Conversation hash -> classes of records with the same full key (a class of 2+ is a duplicate). */
  readonly groups = new Map<number, DatasetRecord | DatasetRecord[][]>();
  /**
   * Near-duplicate candidates: each compared record has a slot (never reused within an index) with
   * its record and signature (undefined once removed). The bands of the records indexed in bulk
   * (a fresh lint) are kept sorted with their slots and binary-searched; records added later by
   * edits go into `recentBuckets` (LSH band -> slot, or slots; a lone slot is stored directly).
   */
  private readonly slotRecords: (DatasetRecord | undefined)[] = [];
  private readonly slotSignatures: (PackedSignature | undefined)[] = [];
  /** The input signatures of the slots of Alpaca records with an input (few files have them: a map, not an array). */
  private readonly slotInputs = new Map<number, PackedSignature>();
  /** While finishBulk runs: the slots already linked to an earlier identical instruction. */
  private bulkIdentical: Uint8Array | undefined;
  /** Each slot's conversation hash, or -1 for a record whose prompt may repeat by design (preference and KTO data). */
  private readonly slotConversations: number[] = [];
  private bulkBands: Int32Array = new Int32Array(0);
  private bulkSlots: Int32Array = new Int32Array(0);
  /** Whether bulkBands is sorted yet: a fresh lint only needs the shared bands; the first edit sorts all. */
  private bulkSorted = true;
  /** Slots below this are in the bulk index, later ones in recentBuckets. */
  private bulkSlotCount = 0;
  /** True while a fresh lint adds all records: near-duplicates are then found in bulk by finishBulk. */
  private inBulk = false;
  /** How many entries of bulkBands/bulkSlots the records added in bulk so far have filled. */
  private bandsInBulk = 0;
  private readonly recentBuckets = new BandMap<number | number[]>();
  /** Verified near-duplicate pairs, both directions, with their ROUGE-L. */
  readonly links = new Map<DatasetRecord, Partners>();
  /** Groups with more than one member. */
  readonly repeated = new Set<DatasetRecord[]>();
  /** Records with record-level problems: a pull reports these without visiting the others. */
  readonly withProblems = new Set<DatasetRecord>();
  /** withProblems in file order, while no record joined or left it (most edits change a record without problems). */
  private withProblemsInOrder: DatasetRecord[] | undefined;
  /** Records by detected format (for the majority and mixed-formats). */
  readonly byFormat = new Map<RecordFormat, FormatMembers>();
  /** Bumped when a format's set of records changes: what mixed-formats derives from a set is kept until then. */
  private readonly formatRevisions = new Map<RecordFormat, number>();
  /** mixed-formats' records of each other format, with the revision and the file's format and shape they were found for. */
  private readonly otherFormatCache = new Map<RecordFormat, { key: string; records: readonly DatasetRecord[] }>();
  /** Prompt/completion records with a KTO label: when most have one, the others lack theirs. */
  readonly labelled = new Set<DatasetRecord>();
  /** The prompt/completion records with a "label" key, whatever its value (null, "yes"): meant as KTO examples too. */
  readonly labelKeyed = new Set<DatasetRecord>();
  /** Hashes shared by records of different full keys (a chance collision, or KTO records that differ only by their label). */
  readonly splitHashes = new Set<number>();
  /** Records that are valid JSON. */
  valid = 0;
  /** Valid records without errors: the examples a trainer keeps (too-few-examples counts these). */
  examples = 0;
  /**
   * The duplicate hashes whose group changed, oldest first, so that the files compared with this one
   * update their cross-file matches from what changed instead of walking every group on each
   * keystroke. Not kept while a fresh index is filled in bulk (nobody follows a new index yet), and
   * only the last `hashLogLimit` entries: a follower further behind starts over.
   */
  private hashLog: number[] = [];
  /** The revision of hashLog's first entry. */
  private hashLogStart = 0;

  constructor(
    readonly version: number,
    readonly threshold: number,
    readonly nearDuplicates: boolean,
    private readonly problemsOf: (record: DatasetRecord) => readonly unknown[],
  ) {}

  /** Counts the group changes so far: a follower notes it, and later asks changedHashesSince(it). */
  get revision(): number {
    return this.hashLogStart + this.hashLog.length;
  }

  /** The hashes whose group changed since `revision` (repeats possible), or undefined when the log no longer reaches back that far. */
  changedHashesSince(revision: number): readonly number[] | undefined {
    if (revision < this.hashLogStart || revision > this.revision) return undefined;
    return this.hashLog.slice(revision - this.hashLogStart);
  }

  private logHash(hash: number): void {
    if (this.inBulk) return;
    this.hashLog.push(hash);
    if (this.hashLog.length > hashLogLimit) {
      const dropped = this.hashLog.length - hashLogLimit / 2;
      this.hashLog = this.hashLog.slice(dropped);
      this.hashLogStart += dropped;
    }
  }

  /** The most common detected format. */
  majority(): RecordFormat {
    let best: RecordFormat = 'unknown';
    let bestRecords: FormatMembers | undefined;
    for (const [format, records] of this.byFormat) {
      if (format === 'unknown' || records.size === 0) continue;
      // A tie goes to the format that comes first in the file, as when every record is read in order:
      // the order of this map depends on the edits made since, and the file's format must not.
      if (bestRecords === undefined || records.size > bestRecords.size || (records.size === bestRecords.size && firstIndexOf(records) < firstIndexOf(bestRecords))) {
        best = format;
        bestRecords = records;
      }
    }
    return best;
  }

  /** What a member contributed when it was added (its summary is cached for this index's version). */
  private entryOf(record: DatasetRecord): { valid: boolean; example: boolean; format: RecordFormat; duplicate: number | undefined } {
    const summary: RecordSummary | undefined = cachedSummary(record, this.version);
    return {
      valid: record.syntaxError === undefined,
      example: record.syntaxError === undefined && summary !== undefined && !summary.empty,
      format: summary !== undefined ? formatOfShape(summary.detected) : 'unknown',
      duplicate: summary !== undefined && !summary.empty ? summary.duplicateHash : undefined,
    };
  }

  /** Starts adding a whole document: near-duplicates are searched once, in bulk, by finishBulk. */
  beginBulk(expectedRecords: number): void {
    this.inBulk = true;
    // Sized from the record count (most instructions have the wide bands only; a tenth more for the
    // short ones' extra bands), grown if short.
    this.bulkBands = new Int32Array(Math.max(64, Math.ceil(expectedRecords * typicalBands * 1.1)));
    this.bulkSlots = new Int32Array(this.bulkBands.length);
    this.bandsInBulk = 0;
  }

  /** Appends a bulk record's bands while its signature is fresh in the cache (read once, here). */
  private appendBulk(slot: number, instruction: PackedSignature): void {
    const bandTotal = packedBandCount(instruction);
    if (this.bandsInBulk + bandTotal > this.bulkBands.length) {
      const capacity = Math.ceil((this.bandsInBulk + bandTotal) * 1.25) + 64;
      const grownBands = new Int32Array(capacity);
      const grownSlots = new Int32Array(capacity);
      grownBands.set(this.bulkBands.subarray(0, this.bandsInBulk));
      grownSlots.set(this.bulkSlots.subarray(0, this.bandsInBulk));
      this.bulkBands = grownBands;
      this.bulkSlots = grownSlots;
    }
    for (let band = 0; band < bandTotal; band++) {
      this.bulkBands[this.bandsInBulk] = packedBand(instruction, band);
      this.bulkSlots[this.bandsInBulk++] = slot;
    }
  }

  add(record: DatasetRecord, facts: FileFacts): void {
    const hasProblems = this.problemsOf(record).length > 0;
    const valid = record.syntaxError === undefined;
    const summary = summaryOf(record, facts);
    const format = summary !== undefined ? formatOfShape(summary.detected) : 'unknown';
    const instruction = summary !== undefined && !summary.empty && this.nearDuplicates && packedHasBands(summary.instruction) ? summary.instruction : null;
    const slot = instruction !== null ? this.slotRecords.length : -1;
    if (instruction !== null) {
      this.slotRecords.push(record);
      this.slotSignatures.push(instruction);
      if (summary?.input !== undefined) this.slotInputs.set(slot, summary.input);
      this.slotConversations.push(summary === undefined || promptMayRepeat(record, summary, facts) ? -1 : summary.duplicateHash);
      if (this.inBulk) this.appendBulk(slot, instruction);
    }
    // Membership is kept on the record, read back only while the record names this index: no Map of 100k records to
    // grow in a fresh lint. What the member contributed (format, hashes) is read back from its cached summary when it
    // is removed: no entry object per record either.
    const cache = cacheOf(record);
    cache.memberOf = this;
    cache.memberSlot = slot;
    if (valid) this.valid++;
    if (valid && summary !== undefined && !summary.empty) this.examples++;
    if (hasProblems) {
      this.withProblems.add(record);
      this.withProblemsInOrder = undefined;
    }
    let sameFormat = this.byFormat.get(format);
    if (sameFormat === undefined) this.byFormat.set(format, (sameFormat = new FormatMembers()));
    sameFormat.add(record);
    this.formatRevisions.set(format, (this.formatRevisions.get(format) ?? 0) + 1);
    if (format === 'prompt-completion' && booleanLabel.test(record.text)) {
      this.labelled.add(record);
      this.labelKeyed.add(record);
    } else if (format === 'prompt-completion' && anyLabel.test(record.text)) this.labelKeyed.add(record);
    if (summary === undefined || summary.empty) return;
    this.logHash(summary.duplicateHash);
    const stored = this.groups.get(summary.duplicateHash);
    if (stored === undefined) {
      // Most hashes have one record: store it without the arrays.
      this.groups.set(summary.duplicateHash, record);
    } else {
      const classes = Array.isArray(stored) ? stored : [[stored]];
      if (classes !== stored) this.groups.set(summary.duplicateHash, classes);
      // Same hash: confirm with the full key once, here, so reports never re-parse.
      const analysis = analyseRecord(record, facts);
      const key = analysis !== undefined ? duplicateKeyOf(analysis, record, facts) : '';
      let placed = false;
      for (const members of classes) {
        const first = members[0];
        const firstAnalysis = first !== undefined ? analyseRecord(first, facts) : undefined;
        if (first !== undefined && firstAnalysis !== undefined && duplicateKeyOf(firstAnalysis, first, facts) === key) {
          members.push(record);
          if (members.length === 2) this.repeated.add(members);
          placed = true;
          break;
        }
      }
      if (!placed) {
        classes.push([record]);
        this.splitHashes.add(summary.duplicateHash);
      }
    }
    if (instruction !== null && !this.inBulk) this.addNear(slot);
  }

  /**
   * The records with record-level problems in file order. Kept between lints while none joins or
   * leaves: edits keep the records' order (lines inserted or removed move later records together).
   */
  recordsWithProblems(): readonly DatasetRecord[] {
    this.withProblemsInOrder ??= [...this.withProblems].sort((a, b) => a.index - b.index);
    return this.withProblemsInOrder;
  }

  /** `find` for the records of `format`, computed again only when that format's records, the file's format or `shape` changed. */
  cachedForFormat(format: RecordFormat, facts: FileFacts, shape: string | undefined, find: () => readonly DatasetRecord[]): readonly DatasetRecord[] {
    const key = `${this.formatRevisions.get(format) ?? 0}|${facts.format}|${shape ?? ''}`;
    const cached = this.otherFormatCache.get(format);
    if (cached !== undefined && cached.key === key) return cached.records;
    const records = find();
    this.otherFormatCache.set(format, { key, records });
    return records;
  }

  remove(record: DatasetRecord): void {
    const slot = this.slotOf(record);
    const entry = slot !== undefined ? this.entryOf(record) : undefined;
    if (slot !== undefined && slot >= 0) this.removeNear(slot);
    if (entry !== undefined) {
      (record.cache as RecordCache).memberOf = undefined;
      if (entry.valid) this.valid--;
      if (entry.example) this.examples--;
      if (this.withProblems.delete(record)) this.withProblemsInOrder = undefined;
      this.byFormat.get(entry.format)?.delete(record);
      this.formatRevisions.set(entry.format, (this.formatRevisions.get(entry.format) ?? 0) + 1);
      this.labelled.delete(record);
      this.labelKeyed.delete(record);
    }
    const hashes = entry;
    if (hashes === undefined || hashes.duplicate === undefined) return;
    this.logHash(hashes.duplicate);
    const stored = this.groups.get(hashes.duplicate);
    if (stored !== undefined && !Array.isArray(stored)) {
      if (stored === record) this.groups.delete(hashes.duplicate);
    } else if (stored !== undefined) {
      const classes = stored;
      for (let position = 0; position < classes.length; position++) {
        const members = classes[position] ?? [];
        const at = members.indexOf(record);
        if (at < 0) continue;
        members.splice(at, 1);
        if (members.length < 2) this.repeated.delete(members);
        if (members.length === 0) classes.splice(position, 1);
        break;
      }
      if (classes.length < 2) this.splitHashes.delete(hashes.duplicate);
      if (classes.length === 0) this.groups.delete(hashes.duplicate);
    }
    const partners = this.links.get(record);
    if (partners !== undefined) {
      this.links.delete(record);
      for (const partner of partners.records) {
        const back = this.links.get(partner);
        if (back === undefined) continue;
        back.remove(record);
        if (back.records.length === 0) this.links.delete(partner);
        // Its only earlier near-duplicate is gone (it is reported against an earlier one): another earlier record may
        // repeat it too, which the first lint, keeping a few links per record, did not link.
        if (back.records.some((other) => other.index < partner.index)) continue;
        const partnerSlot = this.slotOf(partner);
        if (partnerSlot !== undefined && partnerSlot >= 0 && !this.inBulk) this.addNear(partnerSlot, false);
      }
    }
  }

  /**
   * Finds the near-duplicates among all the records added since beginBulk: their bands are sorted
   * once, and each record of a band group is compared with the members before it (file order).
   */
  finishBulk(): void {
    for (const step of this.bulkSteps()) void step; // all at once
  }

  /**
   * finishBulk's work, stopping now and then (between band groups) so that a caller building the
   * index of a large file can let other work run: the index is not usable until the end.
   */
  *bulkSteps(): Generator<void> {
    this.inBulk = false;
    const slotCount = this.slotRecords.length;
    let entryCount = this.bandsInBulk;
    // Kept for the edits' lookups: trimmed when the record count overestimated much (no instructions).
    const trim = entryCount < this.bulkBands.length * 0.9;
    const bandsBySlot = trim ? this.bulkBands.slice(0, entryCount) : this.bulkBands.subarray(0, entryCount);
    const slotsBySlot = trim ? this.bulkSlots.slice(0, entryCount) : this.bulkSlots.subarray(0, entryCount);
    this.bulkBands = bandsBySlot;
    this.bulkSlots = slotsBySlot;
    this.bulkSorted = false;
    this.bulkSlotCount = slotCount;
    const shared = yield* sharedEntrySteps(bandsBySlot, slotsBySlot);
    const sorted = yield* sortByKeySteps(...shared);
    entryCount = sorted.keys.length;
    const keys = sorted.keys;
    const slots = sorted.values;
    const compared = new Uint8Array(slotCount);
    const linked = new Uint8Array(slotCount);
    this.bulkIdentical = new Uint8Array(slotCount);
    // Stops after about 256 groups' or 256 comparisons' worth of work (a templated file compares in every group).
    for (let start = 0, end = 0, work = 0; start < entryCount; start = end) {
      if (work >= 256) {
        work = 0;
        yield;
      }
      work++;
      const key = keys[start];
      for (end = start + 1; end < entryCount && keys[end] === key; end++);
      for (let position = start + 1; position < end; position++) {
        const later = slots[position];
        let loaded = false;
        for (let back = position - 1; back >= start && back >= position - bucketCheckLimit && compared[later] < candidateLimit && linked[later] < bulkLinkLimit; back--) {
          const earlier = slots[back];
          if (earlier === later) continue;
          compared[later]++;
          work++;
          if (!loaded) {
            verifier.load(this.slotSignatures[later] ?? '');
            loaded = true;
          }
          if (this.compare(later, earlier)) linked[later]++;
        }
      }
    }
    this.bulkIdentical = undefined;
  }

  /**
   * Sorts every bulk-indexed band for the edits' lookups. The first edit does it when nobody did
   * before; an editor calls it while idle after opening a file, so that edit stays fast.
   */
  prepareForEdits(): void {
    runSteps(this.prepareForEditsSteps());
  }

  /**
   * prepareForEdits a step at a time, for an editor while idle (the sort of a 100 MB file's bands takes
   * a tenth of a second). The bands are only read meanwhile: an edit that cannot wait sorts them itself.
   */
  *prepareForEditsSteps(): Generator<void> {
    if (this.bulkSorted) return;
    const bands = this.bulkBands;
    const sorted = yield* sortByKeySteps(bands, this.bulkSlots, true);
    if (this.bulkSorted || this.bulkBands !== bands) return;
    this.bulkBands = sorted.keys;
    this.bulkSlots = sorted.values;
    this.bulkSorted = true;
  }

  /** A member's near-duplicate slot (-1: not compared), or undefined when the record is not in this index. */
  private slotOf(record: DatasetRecord): number | undefined {
    const cache = record.cache;
    return cache !== undefined && cache.memberOf === this ? cache.memberSlot : undefined;
  }

  /**
   * Whether two slots whose conversations share a duplicate hash hold the same conversation: the hash samples long texts
   * (their length and three windows), so two answers of one length that differ elsewhere ("1100 dollars" for "1200") share
   * it; duplicate-record's classes, confirmed with the full key, tell them apart.
   */
  private sameConversation(hash: number, later: number, earlier: number): boolean {
    if (!this.splitHashes.has(hash)) return true;
    const stored = this.groups.get(hash);
    const a = this.slotRecords[later];
    const b = this.slotRecords[earlier];
    if (!Array.isArray(stored) || a === undefined || b === undefined) return true;
    return stored.some((members) => members.includes(a) && members.includes(b));
  }

  /** Compares the loaded (later) slot's instruction with an earlier one's and links them when near (true when linked). */
  private compare(later: number, earlier: number): boolean {
    const theirs = this.slotSignatures[earlier];
    if (theirs === undefined) return false;
    // The same words (any case or punctuation) are ROUGE-L 1, unless the whole conversation is the
    // same too (duplicate-record's business) or the prompt may repeat by design.
    const identical = theirs === verifier.loaded;
    if (identical) {
      const mine = this.slotConversations[later] ?? -1;
      const other = this.slotConversations[earlier] ?? -1;
      if (mine < 0 || other < 0 || (mine === other && this.sameConversation(mine, later, earlier))) return false;
      // In bulk, one earlier repeat names it: a file that asks one question a hundred thousand times
      // would otherwise link each record to dozens of others (links are most of the index's memory).
      if (this.bulkIdentical !== undefined) {
        if (this.bulkIdentical[later] === 1) return false;
        this.bulkIdentical[later] = 1;
      }
    }
    const score = identical ? 1 : verifier.score(theirs, this.threshold);
    if (score < this.threshold || (!identical && !verifier.keepsShortContent(theirs))) return false;
    const mineInput = this.slotInputs.get(later);
    const theirInput = this.slotInputs.get(earlier);
    if (!identical && mineInput !== undefined && theirInput !== undefined && !inputsAlike(mineInput, theirInput, this.threshold)) return false;
    const a = this.slotRecords[later];
    const b = this.slotRecords[earlier];
    if (a === undefined || b === undefined) return false;
    this.link(a, b, score);
    return true;
  }

  /** One record added by an edit: compared with the latest members of each band it shares. `insert`: false to search again for a record already indexed (its only near-duplicate was removed). */
  private addNear(slot: number, insert = true): void {
    const instruction = this.slotSignatures[slot];
    if (instruction === undefined) return;
    // Candidates already compared for this record: at most candidateLimit, so a reused array beats a Set per record.
    const checked = checkedCandidates;
    checked.length = 0;
    let loaded = false;
    const consider = (other: number): void => {
      if (other === slot || checked.length >= candidateLimit || checked.includes(other) || this.slotSignatures[other] === undefined) return;
      checked.push(other);
      if (!loaded) {
        verifier.load(instruction);
        loaded = true;
      }
      this.compare(slot, other);
    };
    const bandTotal = packedBandCount(instruction);
    this.prepareForEdits();
    for (let band = 0; band < bandTotal; band++) {
      const key = packedBand(instruction, band);
      // Bulk-indexed members with this band, latest first (removed ones are skipped); then the earliest few, as the first
      // lint links a record to the records before it: a record typed again among many repeats finds the first of them too.
      const end = this.bulkBands.length > 0 ? upperBound(this.bulkBands, key) : 0;
      let latest = end;
      // Removed members are skipped, but count towards a bound: after a large deletion in a templated file a band's group is
      // mostly removed records, and every record that lost its near-duplicate searches again (quadratic without it).
      for (let position = end - 1, seen = 0, visited = 0; position >= 0 && this.bulkBands[position] === key && seen < bucketCheckLimit && visited < removedScanLimit; position--, visited++) {
        latest = position;
        const other = this.bulkSlots[position];
        if (this.slotSignatures[other] === undefined) continue;
        seen++;
        consider(other);
      }
      if (latest < end && latest > 0 && this.bulkBands[latest - 1] === key) {
        for (let position = lowerBound(this.bulkBands, key), seen = 0, visited = 0; position < latest && seen < earliestCheckLimit && visited < removedScanLimit; position++, visited++) {
          const other = this.bulkSlots[position];
          if (this.slotSignatures[other] === undefined) continue;
          seen++;
          consider(other);
        }
      }
      const stored = this.recentBuckets.get(key);
      if (stored === undefined) {
        if (insert) this.recentBuckets.set(key, slot);
        continue;
      }
      const bucket = typeof stored === 'number' ? [stored] : stored;
      if (bucket !== stored) this.recentBuckets.set(key, bucket);
      for (let position = bucket.length - 1, seen = 0; position >= 0 && seen < bucketCheckLimit; position--, seen++) consider(bucket[position] ?? slot);
      if (insert && bucket.length < bucketSizeLimit) bucket.push(slot);
    }
  }

  /** Forgets a removed record's slot (its bulk entries stay, skipped from now on). */
  private removeNear(slot: number): void {
    const instruction = this.slotSignatures[slot];
    this.slotRecords[slot] = undefined;
    this.slotSignatures[slot] = undefined;
    this.slotInputs.delete(slot);
    if (instruction === undefined || slot < this.bulkSlotCount) return;
    const bandTotal = packedBandCount(instruction);
    for (let band = 0; band < bandTotal; band++) {
      const key = packedBand(instruction, band);
      const bucket = this.recentBuckets.get(key);
      if (bucket === undefined) continue;
      if (typeof bucket === 'number') {
        if (bucket === slot) this.recentBuckets.delete(key);
        continue;
      }
      const at = bucket.indexOf(slot);
      if (at >= 0) bucket.splice(at, 1);
      if (bucket.length === 0) this.recentBuckets.delete(key);
    }
  }

  private link(a: DatasetRecord, b: DatasetRecord, score: number): void {
    let forA = this.links.get(a);
    if (forA === undefined) this.links.set(a, (forA = new Partners()));
    forA.set(b, score);
    let forB = this.links.get(b);
    if (forB === undefined) this.links.set(b, (forB = new Partners()));
    forB.set(a, score);
  }

  /** A record whose conversation equals this key (hash match confirmed by the full key). */
  findEqual(hash: number, key: string, facts: FileFacts): DatasetRecord | undefined {
    const stored = this.groups.get(hash);
    if (stored === undefined) return undefined;
    const classes = Array.isArray(stored) ? stored : [[stored]];
    for (const members of classes) {
      const first = members[0];
      const analysis = first !== undefined ? analyseRecord(first, facts) : undefined;
      if (first !== undefined && analysis !== undefined && duplicateKeyOf(analysis, first, facts) === key) return firstInFile(members);
    }
    return undefined;
  }

  /** The records that repeat an earlier one exactly: every member of a class of equal records but the first in file order. */
  laterCopies(): Set<DatasetRecord> {
    const later = new Set<DatasetRecord>();
    for (const members of this.repeated) {
      const first = firstInFile(members);
      for (const member of members) if (member !== first) later.add(member);
    }
    return later;
  }

  /** Whether `record` is in the index and the first in file order of its class of equal records. */
  isFirstOfClass(hash: number, record: DatasetRecord): boolean {
    const stored = this.groups.get(hash);
    if (stored === undefined || !Array.isArray(stored)) return stored === record;
    const members = stored.find((candidates) => candidates.includes(record));
    return members !== undefined && firstInFile(members) === record;
  }
}

const indexes = new WeakMap<DatasetDocument, DocumentIndex>();

/** An empty index for a document linted with these facts. */
function newIndex(facts: FileFacts): DocumentIndex {
  return new DocumentIndex(facts.version, facts.settings.nearDuplicateThreshold, severityOf('near-duplicate', facts.settings) !== 'off', (record) => recordProblems(record, facts));
}

/** Whether an index was built with these facts (a settings change makes it stale). */
function fitsFacts(index: DocumentIndex, facts: FileFacts): boolean {
  return index.version === facts.version && index.threshold === facts.settings.nearDuplicateThreshold && index.nearDuplicates === (severityOf('near-duplicate', facts.settings) !== 'off');
}

/**
 * Whether the next `indexFor` visits only the records changed since the last one; false when it checks
 * every record (the first lint, a settings change, the whole text replaced): `buildIndexInSlices` can do that first.
 */
export function hasCurrentIndex(document: DatasetDocument, facts: FileFacts): boolean {
  const index = indexes.get(document);
  return index !== undefined && !document.changedWholly && fitsFacts(index, facts);
}

/**
 * The document's index, brought up to date with its changes since the last call: only added and
 * removed records are visited (all of them after a reset or a settings change).
 */
/** Changes (records added plus removed) above which, and above a quarter of the records, an edit is indexed afresh. */
const bulkRebuildChanges = 2000;

export function indexFor(document: DatasetDocument, facts: FileFacts): DocumentIndex {
  let index = indexes.get(document);
  const changes = document.takeChanges();
  // An edit that adds or removes a large part of the file (a deletion of half of it, its undo, a paste) is indexed afresh
  // too: one bulk pass costs less than updating the near-duplicate links record by record.
  const largeEdit = changes.removed.length + changes.added.length > Math.max(bulkRebuildChanges, document.records.length / 4);
  if (index === undefined || changes.reset || !fitsFacts(index, facts) || largeEdit) {
    index = newIndex(facts);
    indexes.set(document, index);
    index.beginBulk(document.records.length);
    for (const record of document.records) index.add(record, facts);
    index.finishBulk();
    return index;
  }
  // A record can be added and removed between two lints: it must not stay in the index.
  const removed = new Set(changes.removed);
  for (const record of changes.removed) index.remove(record);
  for (const record of changes.added) if (!removed.has(record)) index.add(record, facts);
  return index;
}

/**
 * Builds the index that `indexFor` would build from every record (a document's first lint, or after a
 * settings change), in slices of about `sliceMs` with `pause()` between them, so that a large file
 * (record checks and duplicate hashes take seconds per 100 MB, more with a real tokenizer) leaves the
 * server answering other requests meanwhile. The next lint then finds the index ready. Gives up,
 * leaving `indexFor` to do it, when the index is current, or is replaced or the document changes
 * while this runs.
 */
export async function buildIndexInSlices(document: DatasetDocument, facts: FileFacts, pause: () => Promise<void>, sliceMs = 20): Promise<void> {
  if (hasCurrentIndex(document, facts) || !document.isDataset) return;
  const version = document.version;
  const previous = indexes.get(document);
  // Someone else indexed the document, or it changed, while this one paused.
  const superseded = (): boolean => indexes.get(document) !== previous || document.version !== version;
  const records = document.records;
  const index = newIndex(facts);
  index.beginBulk(records.length);
  let sliceStart = Date.now();
  for (let at = 0; at < records.length; at++) {
    index.add(records[at] as DatasetRecord, facts);
    // Date.now() every 64 records: cheap, and a slice still ends within a few milliseconds of sliceMs.
    if ((at & 63) === 63 && Date.now() - sliceStart >= sliceMs) {
      await pause();
      if (superseded()) return;
      sliceStart = Date.now();
    }
  }
  for (const step of index.bulkSteps()) {
    void step;
    if (Date.now() - sliceStart < sliceMs) continue;
    await pause();
    if (superseded()) return;
    sliceStart = Date.now();
  }
  if (superseded()) return;
  document.takeChanges(); // the index holds every record: nothing left for indexFor to visit
  indexes.set(document, index);
}

/**
 * Readies a linted document's index for edits (see DocumentIndex.prepareForEdits), `pause()` between
 * slices of about `sliceMs`; a no-op before its first lint.
 */
export async function prepareIndexForEdits(document: DatasetDocument, pause: () => Promise<void>, sliceMs = 20): Promise<void> {
  const index = indexes.get(document);
  if (index === undefined) return;
  let sliceStart = Date.now();
  for (const step of index.prepareForEditsSteps()) {
    void step;
    if (Date.now() - sliceStart < sliceMs) continue;
    await pause();
    // Replaced by a new index (the settings changed, the text was replaced): that one is prepared on its own.
    if (indexes.get(document) !== index) return;
    sliceStart = Date.now();
  }
}

/** A record's copy in another file (for the leakage message). */
interface CrossFileMatch {
  document: DatasetDocument;
  name: string;
  record: DatasetRecord;
}

/**
 * Where each record's copy in another file is, kept while the settings and the set of other files
 * stay the same; each entry is checked again where it could have changed: a copy must still be in its
 * file, and "no copy" holds only while the other files are at the versions it was found with (the
 * string). Records are immutable, so typing in eval.jsonl re-matches only what changed in train.jsonl
 * instead of all the records the two files share (a parse of both records each, most of a second for
 * 50k shared records).
 */
interface CrossFileCache {
  key: string;
  matches: WeakMap<DatasetRecord, CrossFileMatch | string>;
  /** Whether a pass over all shared records has filled the cache (later lints only re-check entries). */
  complete: boolean;
  /** The leaks the last lint found, kept up to date from the indexes' change logs. */
  leaks?: CrossFileLeaks;
}

/** A record (the first of its class of equal records) whose copy is in another file. */
interface CrossFileLeak {
  first: DatasetRecord;
  match: CrossFileMatch;
}

/** Where an index's change log stood when the leaks were last brought up to date. */
interface IndexMark {
  index: DocumentIndex;
  revision: number;
}

interface CrossFileLeaks {
  own: IndexMark;
  /** In the order of WorkspaceIndex.others (fixed while the cache key holds). */
  others: IndexMark[];
  byHash: Map<number, CrossFileLeak[]>;
  count: number;
}
const crossFileCaches = new WeakMap<DatasetDocument, CrossFileCache>();
/** A number per document object, so that a file reopened under the same uri counts as another file. */
const documentIds = new WeakMap<DatasetDocument, number>();
let nextDocumentId = 0;

function documentId(document: DatasetDocument): number {
  let id = documentIds.get(document);
  if (id === undefined) {
    id = nextDocumentId++;
    documentIds.set(document, id);
  }
  return id;
}

function crossFileCacheFor(document: DatasetDocument, key: string): CrossFileCache {
  let cached = crossFileCaches.get(document);
  if (cached === undefined || cached.key !== key) {
    cached = { key, matches: new WeakMap(), complete: false };
    crossFileCaches.set(document, cached);
  }
  return cached;
}

type OtherFile = ReturnType<WorkspaceIndex['others']>[number];

/** Visits the first record (in file order) of each class of equal records stored under one hash. */
function forEachClassFirst(stored: DatasetRecord | DatasetRecord[][], hash: number, visit: (hash: number, first: DatasetRecord) => void): void {
  if (!Array.isArray(stored)) {
    visit(hash, stored);
    return;
  }
  for (const members of stored) {
    const first = firstInFile(members);
    if (first !== undefined) visit(hash, first);
  }
}

/** Visits the first record (in file order) of each class of equal records whose hash some other file has too. */
function forEachSharedClass(index: DocumentIndex, others: readonly OtherFile[], visit: (hash: number, first: DatasetRecord) => void): void {
  // Plain loops: this runs over every record's hash when the leaks are found afresh.
  const otherGroups = others.map((other) => other.index.groups);
  for (const [hash, stored] of index.groups) {
    let shared = false;
    for (let at = 0; at < otherGroups.length && !shared; at++) shared = otherGroups[at]?.has(hash) === true;
    if (shared) forEachClassFirst(stored, hash, visit);
  }
}

function addLeak(leaks: CrossFileLeaks, hash: number, first: DatasetRecord, match: CrossFileMatch): void {
  const list = leaks.byHash.get(hash);
  if (list === undefined) leaks.byHash.set(hash, [{ first, match }]);
  else list.push({ first, match });
  leaks.count++;
}

/** Finds every leak afresh (the first lint beside the other files, a settings change, or a follower too far behind). */
function allLeaks(index: DocumentIndex, facts: FileFacts, others: readonly OtherFile[], cache: CrossFileCache): CrossFileLeaks {
  const leaks: CrossFileLeaks = { own: { index, revision: index.revision }, others: others.map((other) => ({ index: other.index, revision: other.index.revision })), byHash: new Map(), count: 0 };
  const versions = versionsOf(others);
  forEachSharedClass(index, others, (hash, first) => {
    const match = crossFileMatchOf(first, hash, facts, others, cache, versions);
    if (match !== undefined) addLeak(leaks, hash, first, match);
  });
  return leaks;
}

/**
 * The leaks of the document, brought up to date from what changed in its index and in the other
 * files' since the last lint: only the hashes whose groups changed are looked up again. Records are
 * immutable and the groups are keyed by hash, so a leak under an unchanged hash in every file still
 * holds (its copy is still in its file; lines are read when the message is built).
 */
function currentLeaks(index: DocumentIndex, facts: FileFacts, others: readonly OtherFile[], cache: CrossFileCache): CrossFileLeaks {
  const leaks = cache.leaks;
  const changed = new Set<number>();
  const follow = (mark: IndexMark, current: DocumentIndex): boolean => {
    const hashes = mark.index === current ? current.changedHashesSince(mark.revision) : undefined;
    if (hashes === undefined) return false;
    for (const hash of hashes) changed.add(hash);
    return true;
  };
  const followed = leaks !== undefined && leaks.others.length === others.length && follow(leaks.own, index) && others.every((other, at) => follow(leaks.others[at] as IndexMark, other.index));
  if (leaks === undefined || !followed) return (cache.leaks = allLeaks(index, facts, others, cache));
  const versions = versionsOf(others);
  for (const hash of changed) {
    const before = leaks.byHash.get(hash);
    if (before !== undefined) {
      leaks.count -= before.length;
      leaks.byHash.delete(hash);
    }
    const stored = index.groups.get(hash);
    if (stored === undefined || !others.some((other) => other.index.groups.has(hash))) continue;
    forEachClassFirst(stored, hash, (_, first) => {
      const match = crossFileMatchOf(first, hash, facts, others, cache, versions);
      if (match !== undefined) addLeak(leaks, hash, first, match);
    });
  }
  leaks.own.revision = index.revision;
  others.forEach((other, at) => {
    const mark = leaks.others[at];
    if (mark !== undefined) mark.revision = other.index.revision;
  });
  return leaks;
}

/**
 * The record's first copy (in file order) in another file, from the cache while it still is that,
 * else looked up (and cached).
 */
function crossFileMatchOf(first: DatasetRecord, hash: number, facts: FileFacts, others: readonly OtherFile[], cache: CrossFileCache, versions: string): CrossFileMatch | undefined {
  const cached = cache.matches.get(first);
  if (cached === versions) return undefined;
  if (typeof cached === 'object' && others.find((other) => other.document === cached.document)?.index.isFirstOfClass(hash, cached.record) === true) return cached;
  const analysis = analyseRecord(first, facts);
  const key = analysis !== undefined ? duplicateKeyOf(analysis, first, facts) : undefined;
  let match: CrossFileMatch | undefined;
  for (const other of key !== undefined ? others : []) {
    const found = other.index.groups.has(hash) ? other.index.findEqual(hash, key ?? '', other.facts) : undefined;
    if (found === undefined) continue;
    match = { document: other.document, name: otherFileName(facts.uri, other.uri), record: found };
    break;
  }
  cache.matches.set(first, match ?? versions);
  return match;
}

/** The versions of the other files: "no copy" found under them holds until one changes. */
function versionsOf(others: readonly OtherFile[]): string {
  return others.map((other) => other.document.version).join('|');
}

/**
 * The records of `format` that mixed-formats reports in a file of another format: all of them, but for
 * an empty (layout-less) `messages` or `conversations` list in a file that writes that column in the
 * other turn layout (from/value under "messages", role/content under "conversations"), which is the
 * file's format with nothing in it.
 */
function otherFormatRecords(index: DocumentIndex, format: RecordFormat, members: FormatMembers, facts: FileFacts): readonly DatasetRecord[] {
  const layoutSensitive = (format === 'openai-chat' && facts.format === 'sharegpt') || (format === 'sharegpt' && facts.format === 'openai-chat');
  const fileShape = layoutSensitive ? commonShape(index.byFormat.get(facts.format), facts) : undefined;
  // Found again on each keystroke otherwise: thousands of records of another format, and most edits change none.
  return index.cachedForFormat(format, facts, fileShape, () => (fileShape === undefined ? [...members] : [...members].filter((record) => {
    const summary = summaryOf(record, facts);
    // A layout-less list leaves no turn: only such records are parsed again (this runs on each keystroke).
    if (summary === undefined || !summary.empty) return true;
    const detected = summary.detected;
    const held = record.holdsValue;
    const value = record.value;
    if (!held) record.release();
    return !layoutlessChatFitsFile(value, detected, fileShape);
  })));
}

/** The layout most of a file's preference records are written in, found with the records of other layouts below. */
const preferenceLayoutOf = new WeakMap<DocumentIndex, RecordSummary['detected']>();

/**
 * The preference records written in another layout than most of the file's, and that layout (found
 * again only when a preference record changed).
 */
function otherLayoutPreferenceRecords(index: DocumentIndex, facts: FileFacts): { fileShape: RecordSummary['detected'] | undefined; records: readonly DatasetRecord[] } {
  const members = index.byFormat.get('preference');
  if (members === undefined || members.size === 0) return { fileShape: undefined, records: [] };
  const records = index.cachedForFormat('preference', facts, 'layouts', () => {
    const counts = new Map<RecordSummary['detected'], number>();
    const firsts = new Map<RecordSummary['detected'], number>();
    for (const record of members) {
      const detected = summaryOf(record, facts)?.detected;
      if (detected === undefined) continue;
      counts.set(detected, (counts.get(detected) ?? 0) + 1);
      if (record.index < (firsts.get(detected) ?? Infinity)) firsts.set(detected, record.index);
    }
    // A tie goes to the layout whose first record comes first, as for the file's format (the same after edits as afresh).
    let fileShape: RecordSummary['detected'] | undefined;
    for (const [shape, count] of counts) {
      const best = fileShape === undefined ? -1 : (counts.get(fileShape) ?? 0);
      if (count > best || (count === best && (firsts.get(shape) ?? Infinity) < (firsts.get(fileShape as RecordSummary['detected']) ?? Infinity))) fileShape = shape;
    }
    if (fileShape === undefined || counts.size < 2) return [];
    preferenceLayoutOf.set(index, fileShape);
    const file = fileShape;
    return [...members].filter((record) => {
      const detected = summaryOf(record, facts)?.detected;
      return detected !== undefined && mixedPreferenceLayoutMessage(detected, file) !== undefined;
    });
  });
  return { fileShape: records.length > 0 ? preferenceLayoutOf.get(index) : undefined, records };
}

/** The index of the first record of `records` in the file. */
function firstIndexOf(records: FormatMembers): number {
  let first = Infinity;
  for (const record of records) if (record.index < first) first = record.index;
  return first;
}

/** The most common detected shape among the first records of a format (a sample: the shapes of one format are few). */
function commonShape(members: FormatMembers | undefined, facts: FileFacts): RecordSummary['detected'] | undefined {
  const counts = new Map<RecordSummary['detected'], number>();
  let sampled = 0;
  for (const record of members ?? []) {
    const detected = summaryOf(record, facts)?.detected;
    if (detected !== undefined) counts.set(detected, (counts.get(detected) ?? 0) + 1);
    if (++sampled === 64) break;
  }
  let best: RecordSummary['detected'] | undefined;
  for (const [shape, count] of counts) if (best === undefined || count > (counts.get(best) ?? 0)) best = shape;
  return best;
}

/**
 * The prompt/completion records without a KTO label in a file where most have a "label" key (a null one
 * counts: wrong-type reports its value), and no label key at all, right or misspelt, in file order.
 */
function unlabelledRecords(index: DocumentIndex, facts: FileFacts): DatasetRecord[] {
  const members = index.byFormat.get('prompt-completion');
  const keyed = index.labelKeyed.size;
  // Nothing to walk (on every keystroke) when no record or every record has its label.
  if (members === undefined || index.labelled.size === 0 || keyed === members.size || keyed <= members.size - keyed) return [];
  const unlabelled: DatasetRecord[] = [];
  for (const record of members) {
    if (index.labelKeyed.has(record)) continue;
    // A misspelt "label" is unknown-key's finding (its fix renames the key to "label"); another misspelt key is not.
    if (index.withProblems.has(record) && recordProblems(record, facts).some((problem) => problem.rule === 'unknown-key' && problem.fix?.kind === 'rename-key' && problem.fix.replacement === 'label')) continue;
    unlabelled.push(record);
  }
  return unlabelled.sort((a, b) => a.index - b.index);
}

/** Whether the document's next lint would look up its shared records in other files afresh (its first lint beside them, or a file joined or left). */
export function crossFileMatchingPending(document: DatasetDocument, facts: FileFacts, workspace: WorkspaceIndex): boolean {
  if (severityOf('cross-file-duplicate', facts.settings) === 'off' || !workspace.hasOthers(facts.uri)) return false;
  const cached = crossFileCaches.get(document);
  return cached === undefined || !cached.complete || cached.key !== workspace.keyFor(facts);
}

/**
 * Finds the copies of a document's records in the other files in slices of about `sliceMs`, `pause()`
 * between them, so that the first lint after a large sibling file joins (or the document's own first
 * lint beside one) finds them cached instead of holding the server for a second or more.
 */
export async function matchAcrossFilesInSlices(document: DatasetDocument, facts: FileFacts, workspace: WorkspaceIndex, pause: () => Promise<void>, sliceMs = 20): Promise<void> {
  if (severityOf('cross-file-duplicate', facts.settings) === 'off' || !hasCurrentIndex(document, facts)) return;
  const others = workspace.others(facts.uri);
  if (others.length === 0) return;
  const cache = crossFileCacheFor(document, workspace.keyFor(facts));
  const index = indexFor(document, facts);
  const version = document.version;
  const shared: { hash: number; first: DatasetRecord }[] = [];
  forEachSharedClass(index, others, (hash, first) => shared.push({ hash, first }));
  const versions = versionsOf(others);
  let sliceStart = Date.now();
  let visited = 0;
  for (const { hash, first } of shared) {
    crossFileMatchOf(first, hash, facts, others, cache, versions);
    if ((++visited & 63) === 0 && Date.now() - sliceStart >= sliceMs) {
      await pause();
      // Entries stay valid on their own; a changed file or index only ends this pass early.
      if (document.version !== version || crossFileCaches.get(document) !== cache || others.some((other) => indexes.get(other.document) !== other.index)) return;
      sliceStart = Date.now();
    }
  }
  cache.complete = true;
}

/** The other dataset files of the workspace, for train/eval leakage. */
export class WorkspaceIndex {
  private readonly files = new Map<string, { document: DatasetDocument; facts: FileFacts; identity: string }>();

  constructor(
    /**
     * What file a URI names: the editor may open one file under two URIs (a symbolic link to its
     * folder, another spelling of the path), and a file must not leak into itself.
     */
    private readonly identify: (uri: string) => string = (uri) => uri,
  ) {}

  /** Sets a file's entry; true when it is new or holds another document or other facts (the other files' findings may change). */
  setFile(uri: string, document: DatasetDocument, facts: FileFacts): boolean {
    // Every lint sets its file again: what file the URI names is looked up once, while it stays.
    const previous = this.files.get(uri);
    this.files.set(uri, { document, facts, identity: previous?.identity ?? this.identify(uri) });
    return previous === undefined || previous.document !== document || previous.facts !== facts;
  }

  removeFile(uri: string): void {
    this.files.delete(uri);
  }

  has(uri: string): boolean {
    return this.files.has(uri);
  }

  hasOthers(uri: string): boolean {
    return this.files.size > (this.files.has(uri) ? 1 : 0);
  }

  /** The settings of a file and which other files it is compared with (not their versions): cross-file matches are kept while it holds. */
  keyFor(facts: FileFacts): string {
    let key = `${facts.version}`;
    const own = this.identityOf(facts.uri);
    for (const [uri, other] of this.files) if (other.identity !== own && other.document.isDataset) key += `|${uri}@${documentId(other.document)}@${other.facts.version}`;
    return key;
  }

  private identityOf(uri: string): string {
    return this.files.get(uri)?.identity ?? this.identify(uri);
  }

  /** The other files' indexes, brought up to date once per lint. */
  others(uri: string): { uri: string; index: DocumentIndex; facts: FileFacts; document: DatasetDocument }[] {
    const result: { uri: string; index: DocumentIndex; facts: FileFacts; document: DatasetDocument }[] = [];
    const own = this.identityOf(uri);
    for (const [otherUri, { document, facts, identity }] of this.files) {
      if (identity === own || !document.isDataset) continue;
      void document.records; // keeps record lines current
      result.push({ uri: otherUri, index: indexFor(document, facts), facts, document });
    }
    return result;
  }

  get size(): number {
    return this.files.size;
  }
}

/** A file path or URI as '/'-separated path segments (decoded). */
function pathSegments(uri: string): string[] {
  if (!uri.startsWith('file://')) return uri.split(/[\\/]/);
  const path = uri.slice('file://'.length);
  try {
    return decodeURIComponent(path).split('/');
  } catch {
    return path.split('/');
  }
}

/**
 * How a leakage message names the other file: its path from this file's folder, so its name alone beside this file and
 * `../v1/train.jsonl` from v2/ (a bare name there would send the user to the train.jsonl beside this file).
 */
function otherFileName(ownUri: string, otherUri: string): string {
  const own = pathSegments(ownUri);
  const other = pathSegments(otherUri);
  let common = 0;
  while (common < own.length - 1 && common < other.length - 1 && own[common] === other[common]) common++;
  return [...Array.from({ length: own.length - 1 - common }, () => '..'), ...other.slice(common)].join('/');
}

/**
 * Whether a record gets a near-duplicate finding: it nearly repeats an earlier record, and is not a later
 * exact copy (`laterCopies`): duplicate-record reports those, and removing one settles its near-duplicates too.
 */
function nearlyRepeatsEarlier(record: DatasetRecord, partners: Partners, isLaterCopy: (record: DatasetRecord) => boolean): boolean {
  return partners.records.some((partner) => partner.index < record.index) && !isLaterCopy(record);
}

/**
 * The last record index whose finding can be shown when only `capacity` of these records' findings are (the file checks keep
 * the first in file order): findings past it are only counted. 100k copies of one record would otherwise build 100k
 * messages on each keystroke, to show a thousand.
 */
function lastShownIndex(records: readonly DatasetRecord[], capacity: number): number {
  if (records.length <= capacity) return Infinity;
  if (capacity <= 0) return -Infinity;
  const indexes = new Int32Array(records.length);
  for (let at = 0; at < records.length; at++) indexes[at] = (records[at] as DatasetRecord).index;
  return indexes.sort()[capacity - 1] as number;
}

/**
 * `index.laterCopies()` as a test, the set built at the first question: a file of many exact copies and no near-duplicate
 * pair with an earlier record (100k copies of one record) would otherwise build a set of every copy on each keystroke.
 */
function laterCopyTest(index: DocumentIndex): (record: DatasetRecord) => boolean {
  let later: Set<DatasetRecord> | undefined;
  return (record) => (later ??= index.laterCopies()).has(record);
}

/**
 * The earlier record a record nearly repeats most closely (the nearest before it among equals), or
 * undefined when all its partners come later. Among equals the nearest, because that is the one a
 * first lint finds too: it compares each record with the latest members of its groups, and links an
 * instruction repeated word for word to one earlier repeat only, while an edit compares with more.
 */
function bestEarlierPartner(record: DatasetRecord, partners: Partners): { record: DatasetRecord; score: number } | undefined {
  let best: { record: DatasetRecord; score: number } | undefined;
  for (let at = 0; at < partners.records.length; at++) {
    const partner = partners.records[at];
    const score = partners.scores[at] ?? 0;
    if (partner === undefined || partner.index >= record.index) continue;
    if (best === undefined || score > best.score || (score === best.score && partner.index > best.record.index)) best = { record: partner, score };
  }
  return best;
}

/** Whether the index counts a record among the file's examples (one with errors of its own, or empty, it does not). */
function countedAsExample(record: DatasetRecord, facts: FileFacts): boolean {
  return summaryOf(record, facts)?.empty === false;
}

/**
 * How many records mixed-formats reports: those in another format than the file's, and preference pairs in another
 * layout. `examplesOnly`: count only records counted as examples (one with errors of its own is not).
 */
function otherFormatRecordCount(index: DocumentIndex, facts: FileFacts, examplesOnly = false): number {
  if (facts.format === 'unknown') return 0;
  let count = 0;
  const counted = (record: DatasetRecord): boolean => !examplesOnly || countedAsExample(record, facts);
  for (const [format, members] of index.byFormat) if (format !== 'unknown' && format !== facts.format) count += otherFormatRecords(index, format, members, facts).filter(counted).length;
  if (facts.format === 'preference') count += otherLayoutPreferenceRecords(index, facts).records.filter(counted).length;
  return count;
}

/**
 * KTO records with the same prompt and completion as an earlier record but the other label, each with
 * the first such record: derived from the hashes that hold more than one full key (few), so an edit
 * gives what a fresh read gives.
 */
function contradictingLabels(index: DocumentIndex, facts: FileFacts): [DatasetRecord, DatasetRecord][] {
  const pairs: [DatasetRecord, DatasetRecord][] = [];
  if (index.labelled.size === 0) return pairs;
  for (const hash of index.splitHashes) {
    const classes = index.groups.get(hash);
    if (!Array.isArray(classes)) continue;
    // Each class's first record in the file, by its key without the label.
    const byUnlabelledKey = new Map<string, DatasetRecord[]>();
    for (const members of classes) {
      const first = firstInFile(members);
      const analysis = first !== undefined && index.labelled.has(first) ? analyseRecord(first, facts) : undefined;
      if (first === undefined || analysis === undefined) continue;
      const key = duplicateKeyOf(analysis, first, facts, false);
      const same = byUnlabelledKey.get(key);
      if (same === undefined) byUnlabelledKey.set(key, [first]);
      else same.push(first);
    }
    for (const firsts of byUnlabelledKey.values()) {
      if (firsts.length < 2) continue;
      firsts.sort((a, b) => a.index - b.index);
      const earliest = firsts[0] as DatasetRecord;
      for (const later of firsts.slice(1)) pairs.push([earliest, later]);
    }
  }
  return pairs;
}

/**
 * `countOnly`: the caller already has as many problems as it shows; the per-record file problems are
 * then only counted (building thousands of them on every keystroke would cost more than the rest).
 */
export function fileChecks(document: DatasetDocument, facts: FileFacts, workspace?: WorkspaceIndex, countOnly = false, capacity = Infinity): { problems: FileProblem[]; counted: number } {
  const problems: FileProblem[] = [];
  let counted = 0;
  const records = document.records; // also brings record indexes and lines up to date
  const settings = facts.settings;
  const index = indexFor(document, facts);
  if (countOnly) {
    if (severityOf('mixed-formats', settings) !== 'off') counted += otherFormatRecordCount(index, facts);
    if (severityOf('duplicate-record', settings) !== 'off') {
      for (const members of index.repeated) counted += members.length - 1;
      counted += contradictingLabels(index, facts).length;
    }
    if (index.nearDuplicates) {
      const isLaterCopy = laterCopyTest(index);
      for (const [record, partners] of index.links) if (nearlyRepeatsEarlier(record, partners, isLaterCopy)) counted++;
    }
  }
  if (!countOnly && severityOf('mixed-formats', settings) !== 'off' && facts.format !== 'unknown') {
    for (const [format, members] of index.byFormat) {
      if (format === 'unknown' || format === facts.format) continue;
      // One message per format (not per record): these files can hold thousands of such records.
      const forcedByOmittedFormatting = facts.hint.formattingOmitted === true && facts.settings.format === 'auto' && facts.hint.forced === facts.format;
      const tie = members.size === (index.byFormat.get(facts.format)?.size ?? 0);
      const forcedBy = facts.settings.format !== 'auto' ? 'by tunesmith.format or "format" in tunesmith.json or .tunesmithrc.json' : 'by its dataset_info.json entry';
      const message = mixedFormatMessage(format === 'preference' ? 'preference-trl' : format, facts.format, facts.forced, forcedByOmittedFormatting, tie, forcedBy);
      if (message === undefined) continue;
      // A prompt-only record among prompt/completion or preference records lacks its answer: missing-field, at the record's start.
      const ruleId = mixedFormatRuleId(format === 'preference' ? 'preference-trl' : format, facts.format);
      const fix: FixData | undefined = ruleId === 'missing-field' && facts.format === 'prompt-completion' ? { kind: 'add-field', path: [], key: 'completion', skeleton: '', after: ['prompt'] } : undefined;
      // An Alpaca record with "completion" but no "output" or "label" among prompt/completion (KTO) records: missing-field
      // names both ways to fix it (rename to "output", or add the label), at "completion"; a second error would repeat it.
      const reportedElsewhere = format === 'alpaca' && facts.format === 'prompt-completion' && severityOf('missing-field', settings) !== 'off' ? (record: DatasetRecord) => isObject(record.value) && completionWithoutOutput(record.value, facts.hint.mapping.columns.response) : () => false;
      const reported = otherFormatRecords(index, format, members, facts).filter((record) => !reportedElsewhere(record));
      const lastShown = lastShownIndex(reported, capacity);
      const countsHidden = severityOf(ruleId, settings) !== 'off';
      for (const record of reported) {
        if (record.index > lastShown) {
          if (countsHidden) counted++;
          continue;
        }
        const firstKey = ruleId === 'mixed-formats' ? summaryOf(record, facts)?.firstKey : undefined;
        const target: ProblemTarget = firstKey !== undefined ? { path: [firstKey], part: 'key' } : { offsets: { start: 0, end: 1 } };
        problems.push(fix === undefined ? { rule: ruleId, record, message, target } : { rule: ruleId, record, message, target, fix });
      }
    }
    const { fileShape, records: others } = facts.format === 'preference' ? otherLayoutPreferenceRecords(index, facts) : { fileShape: undefined, records: [] };
    if (fileShape !== undefined) {
      for (const record of others) {
        const summary = summaryOf(record, facts);
        const message = summary !== undefined ? mixedPreferenceLayoutMessage(summary.detected, fileShape) : undefined;
        if (message === undefined) continue;
        const firstKey = summary?.firstKey;
        problems.push({ rule: 'mixed-formats', record, message, target: firstKey !== undefined ? { path: [firstKey], part: 'key' } : { offsets: { start: 0, end: 1 } } });
      }
    }
  }
  if (!countOnly && severityOf('duplicate-record', settings) !== 'off') {
    const copies: DatasetRecord[] = [];
    for (const members of index.repeated) {
      const first = firstInFile(members);
      for (const record of members) if (record !== first) copies.push(record);
    }
    const lastShown = lastShownIndex(copies, capacity);
    for (const members of index.repeated) {
      const first = firstInFile(members);
      if (first === undefined) continue;
      for (const record of members) {
        if (record === first) continue;
        if (record.index > lastShown) {
          counted++;
          continue;
        }
        // In a file of splits, a copy in another split is leakage between training and evaluation, not over-weighting.
        const splits = document.splitKeys;
        const otherSplit = record.arrayIndex !== first.arrayIndex ? splits[first.arrayIndex] : undefined;
        const message = otherSplit !== undefined ? `The same example is in the "${otherSplit}" split (record ${first.index + 1}, line ${first.line + 1}): if "${splits[record.arrayIndex] ?? ''}" is used for evaluation, this example leaks into it from training and inflates the scores. Remove it from one split.` : `Duplicate of record ${first.index + 1} (line ${first.line + 1}): repeated examples are over-weighted in training. Remove this copy.`;
        problems.push({ rule: 'duplicate-record', record, message, fix: { kind: 'remove-record' } });
      }
    }
    for (const [first, later] of contradictingLabels(index, facts)) {
      const label = (later.value as { label?: unknown } | undefined)?.label;
      problems.push({ rule: 'duplicate-record', record: later, target: { path: ['label'] }, message: `The same prompt and completion as record ${first.index + 1} (line ${first.line + 1}), labelled ${String(label)} here and ${String(!label)} there: a KTO trainer learns this completion as desirable and as undesirable at once. Keep the right label and remove the other record.`, fix: { kind: 'remove-record' } });
    }
  }
  const unlabelled = severityOf('missing-field', settings) !== 'off' ? unlabelledRecords(index, facts) : [];
  if (unlabelled.length > 0) {
    const message = `No "label" here, while ${index.labelled.size} prompt/completion record${index.labelled.size === 1 ? ' has' : 's have'} one: KTO (unpaired preference) training needs a boolean label on every example (TRL's KTOTrainer fails on a missing one). Add "label": true for a desirable completion, false for an undesirable one.`;
    for (const record of unlabelled) {
      if (countOnly || problems.length >= capacity) counted++;
      else problems.push({ rule: 'missing-field', record, message, target: { offsets: { start: 0, end: 1 } } });
    }
  }
  // The file itself joins the workspace only after its first lint: ask for the others, not the size.
  const others = workspace !== undefined && severityOf('cross-file-duplicate', settings) !== 'off' ? workspace.others(facts.uri) : [];
  if (others.length > 0) {
    const cache = crossFileCacheFor(document, workspace?.keyFor(facts) ?? '');
    const leaks = currentLeaks(index, facts, others, cache);
    cache.complete = true;
    // Beyond what can be shown, only counted: two files that share 50k records would build 50k messages per keystroke.
    let shown = 0;
    if (!countOnly) {
      show: for (const list of leaks.byHash.values()) {
        for (const { first, match } of list) {
          if (problems.length >= capacity) break show;
          problems.push({ rule: 'cross-file-duplicate', record: first, message: `The same example is in ${match.name} (line ${match.record.line + 1}). If one file is the evaluation set, this example leaks into training and inflates the scores: remove it from one file.` });
          shown++;
        }
      }
    }
    counted += leaks.count - shown;
  }
  if (!countOnly && index.nearDuplicates) {
    // The records that nearly repeat an earlier one, by position: a templated file can have one in every
    // record, so they are sorted as numbers, and messages are built only for those that can be shown (the
    // first in file order), which would otherwise take more memory than the file.
    let repeats = new Int32Array(index.links.size);
    let repeatCount = 0;
    const isLaterCopy = laterCopyTest(index);
    for (const [record, partners] of index.links) {
      if (nearlyRepeatsEarlier(record, partners, isLaterCopy)) repeats[repeatCount++] = record.index;
    }
    repeats = repeats.subarray(0, repeatCount).sort();
    if (repeatCount > capacity) counted += repeatCount - capacity;
    for (const recordIndex of repeats.subarray(0, Math.min(repeatCount, capacity))) {
      const record = records[recordIndex];
      const partners = record !== undefined ? index.links.get(record) : undefined;
      const best = record !== undefined && partners !== undefined ? bestEarlierPartner(record, partners) : undefined;
      if (record === undefined || best === undefined) continue;
      const summary = summaryOf(record, facts);
      const path = summary?.instructionPath;
      // Long instructions are compared by their first words only: the message says so rather than claim the whole repeats.
      const partnerSummary = summaryOf(best.record, facts);
      const selfCut = summary !== undefined && packedIsCut(summary.instruction);
      const cut = selfCut || (partnerSummary !== undefined && packedIsCut(partnerSummary.instruction));
      const partner = `record ${best.record.index + 1} (line ${best.record.line + 1})`;
      // Plain-text records have no instruction: their whole text is compared.
      const what = summary?.shape === 'text' || summary?.shape === 'segments' ? 'text' : 'instruction';
      problems.push({
        rule: 'near-duplicate',
        record,
        ...(path !== undefined ? { target: { path } } : {}),
        message: cut && !selfCut
          ? `This ${what} ${best.score === 1 ? 'is, word for word, the start of' : `nearly matches the start of`} ${partner}, a long ${what} (ROUGE-L ${best.score.toFixed(2)} against its first ${maxWords} words${best.score === 1 ? '' : `, >= ${settings.nearDuplicateThreshold}`}). Only the start of a long ${what} is compared, so the rest of it may differ: if it differs too little, rewrite or remove one; a shared preamble (a rubric, a system text in the prompt) is fine to keep.`
          : cut
          ? `This long ${what} starts as ${partner} does: ${best.score === 1 ? `their first ${maxWords} words are the same, word for word (ROUGE-L 1.00 over them)` : `their first ${maxWords} words nearly match (ROUGE-L ${best.score.toFixed(2)} over them, >= ${settings.nearDuplicateThreshold})`}. Only the start of a long ${what} is compared, so the rest may differ: if it differs too little, rewrite or remove one; a shared preamble (a rubric, a system text in the prompt) is fine to keep.`
          : best.score === 1
            ? `This ${what} repeats ${partner} word for word (ROUGE-L 1.00; only case, punctuation or spacing may differ), though the records are not exact copies. A repeated prompt adds little and, with two different answers, teaches conflicting behaviour: keep one, or rewrite one ${what}.`
            : `This ${what} nearly repeats record ${best.record.index + 1} (line ${best.record.line + 1}; ROUGE-L ${best.score.toFixed(2)} >= ${settings.nearDuplicateThreshold}). Near-duplicates add little and skew training: rewrite or remove one.`,
      });
    }
  }
  if (severityOf('too-few-examples', settings) !== 'off' && !document.hasFileErrors) {
    // Records with errors are rejected or skipped by trainers: they are not examples. So are records in another format than
    // the file's (mixed-formats' errors), counted only when the file is short of examples anyway.
    let valid = index.examples;
    if (valid < settings.minExamples && severityOf('mixed-formats', settings) === 'error') valid = Math.max(0, valid - otherFormatRecordCount(index, facts, true));
    // So are KTO records without their label (missing-field's error from the file checks).
    if (valid < settings.minExamples && severityOf('missing-field', settings) === 'error') valid = Math.max(0, valid - unlabelledRecords(index, facts).filter((record) => countedAsExample(record, facts)).length);
    // Records that do not parse have errors too.
    const withErrors = records.length - valid;
    if (index.valid > 0 && valid < settings.minExamples) {
      const note = withErrors > 0 ? ` (${withErrors} more record${withErrors === 1 ? ' has' : 's have'} errors and ${withErrors === 1 ? 'does' : 'do'} not count)` : '';
      problems.push({ rule: 'too-few-examples', message: `Only ${valid} example${valid === 1 ? '' : 's'}${note}: fine-tuning needs at least ${settings.minExamples} (OpenAI requires 10 and recommends 50 to 100). Add more examples.` });
    } else if (records.length === 0 && settings.minExamples > 0) {
      // An empty file (blank lines only, or []): nothing to train on.
      problems.push({ rule: 'too-few-examples', message: `No examples: the file has no records. Fine-tuning needs at least ${settings.minExamples} (OpenAI requires 10 and recommends 50 to 100). Add examples, one JSON record per line (JSONL) or as elements of the top-level array (JSON).` });
    }
  }
  // Report in file order.
  problems.sort((a, b) => (a.record?.index ?? -1) - (b.record?.index ?? -1));
  return { problems, counted };
}
