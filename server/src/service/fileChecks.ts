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
import { bands as bandCount, packedBand, packedHasBands, rougeL, unpackWords, type PackedSignature } from './nearDuplicates';
import type { FileProblem } from './rules/rule';
import { severityOf } from './rules/index';
// linter.ts imports this module too; recordProblems is only called at run time, so the cycle is harmless.
import { recordProblems } from './linter';
import { mixedFormatMessage } from './rules/mixed-formats';

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
/** Members kept per bucket (a band shared by thousands of records says nothing). */
const bucketSizeLimit = 256;

/** Scratch list of the candidates compared for the record being added (one record at a time). */
const checkedCandidates: DatasetRecord[] = [];
/** Scratch word lists for ROUGE-L (signatures are kept packed). */
const ownWords: number[] = [];
const otherWords: number[] = [];

export class DocumentIndex {
  /** Conversation hash -> classes of records with the same full key (a class of 2+ is a duplicate). */
  readonly groups = new Map<number, DatasetRecord | DatasetRecord[][]>();
  /** LSH band -> its records; a lone record is stored directly (most bands hold one: saves an array each). */
  readonly buckets = new BandMap<DatasetRecord | DatasetRecord[]>();
  /** Verified near-duplicate pairs, both directions, with their ROUGE-L. */
  readonly links = new Map<DatasetRecord, Map<DatasetRecord, number>>();
  /** Groups with more than one member. */
  readonly repeated = new Set<DatasetRecord[]>();
  /**
   * The records in the index. What each contributes (format, hashes, signature) is read back from
   * its cached summary when it is removed: no entry object per record (100k records, 100k objects).
   */
  private readonly members = new Set<DatasetRecord>();
  /** Records with record-level problems: a pull reports these without visiting the others. */
  readonly withProblems = new Set<DatasetRecord>();
  /** Records by detected format (for the majority and mixed-formats). */
  readonly byFormat = new Map<RecordFormat, Set<DatasetRecord>>();
  /** Records that are valid JSON. */
  valid = 0;

  constructor(
    readonly version: number,
    readonly threshold: number,
    readonly nearDuplicates: boolean,
    private readonly problemsOf: (record: DatasetRecord) => readonly unknown[],
  ) {}

  /** The most common detected format. */
  majority(): RecordFormat {
    let best: RecordFormat = 'unknown';
    let bestCount = 0;
    for (const [format, records] of this.byFormat) {
      if (format !== 'unknown' && records.size > bestCount) {
        best = format;
        bestCount = records.size;
      }
    }
    return best;
  }

  /** Near-duplicate signature a member was indexed with (null: not compared). */
  private instructionOf(summary: RecordSummary | undefined): PackedSignature | null {
    return summary !== undefined && !summary.empty && this.nearDuplicates && packedHasBands(summary.instruction) ? summary.instruction : null;
  }

  /** What a member contributed when it was added (its summary is cached for this index's version). */
  private entryOf(record: DatasetRecord): { valid: boolean; format: RecordFormat; duplicate: number | undefined; instruction: PackedSignature | null } {
    const summary = cachedSummary(record, this.version);
    return {
      valid: record.syntaxError === undefined,
      format: summary !== undefined ? formatOfShape(summary.detected) : 'unknown',
      duplicate: summary !== undefined && !summary.empty ? summary.duplicateHash : undefined,
      instruction: this.instructionOf(summary),
    };
  }

  add(record: DatasetRecord, facts: FileFacts): void {
    const hasProblems = this.problemsOf(record).length > 0;
    const valid = record.syntaxError === undefined;
    const summary = summaryOf(record, facts);
    const format = summary !== undefined ? formatOfShape(summary.detected) : 'unknown';
    this.members.add(record);
    if (valid) this.valid++;
    if (hasProblems) this.withProblems.add(record);
    let sameFormat = this.byFormat.get(format);
    if (sameFormat === undefined) this.byFormat.set(format, (sameFormat = new Set()));
    sameFormat.add(record);
    if (summary === undefined || summary.empty) return;
    const instruction = this.nearDuplicates && packedHasBands(summary.instruction) ? summary.instruction : null;
    const stored = this.groups.get(summary.duplicateHash);
    if (stored === undefined) {
      // Most hashes have one record: store it without the arrays.
      this.groups.set(summary.duplicateHash, record);
    } else {
      const classes = Array.isArray(stored) ? stored : [[stored]];
      if (classes !== stored) this.groups.set(summary.duplicateHash, classes);
      // Same hash: confirm with the full key once, here, so reports never re-parse.
      const analysis = analyseRecord(record, facts);
      const key = analysis !== undefined ? duplicateKeyOf(analysis) : '';
      let placed = false;
      for (const members of classes) {
        const first = members[0];
        const firstAnalysis = first !== undefined ? analyseRecord(first, facts) : undefined;
        if (firstAnalysis !== undefined && duplicateKeyOf(firstAnalysis) === key) {
          members.push(record);
          if (members.length === 2) this.repeated.add(members);
          placed = true;
          break;
        }
      }
      if (!placed) classes.push([record]);
    }
    if (instruction !== null) this.addNear(record, instruction);
  }

  remove(record: DatasetRecord): void {
    const entry = this.members.has(record) ? this.entryOf(record) : undefined;
    if (entry !== undefined) {
      this.members.delete(record);
      if (entry.valid) this.valid--;
      this.withProblems.delete(record);
      this.byFormat.get(entry.format)?.delete(record);
    }
    const hashes = entry;
    if (hashes === undefined || hashes.duplicate === undefined) return;
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
      if (classes.length === 0) this.groups.delete(hashes.duplicate);
    }
    const removedInstruction = hashes.instruction;
    if (removedInstruction !== null && packedHasBands(removedInstruction)) {
      for (let index = 0; index < bandCount; index++) {
        const band = packedBand(removedInstruction, index);
        const bucket = this.buckets.get(band);
        if (bucket === undefined) continue;
        if (!Array.isArray(bucket)) {
          if (bucket === record) this.buckets.delete(band);
          continue;
        }
        const at = bucket.indexOf(record);
        if (at >= 0) bucket.splice(at, 1);
        if (bucket.length === 0) this.buckets.delete(band);
      }
    }
    const partners = this.links.get(record);
    if (partners !== undefined) {
      for (const partner of partners.keys()) {
        const back = this.links.get(partner);
        back?.delete(record);
        if (back?.size === 0) this.links.delete(partner);
      }
      this.links.delete(record);
    }
  }

  private addNear(record: DatasetRecord, instruction: PackedSignature): void {
    if (!packedHasBands(instruction)) return;
    let words: number[] | undefined;
    // Candidates already compared for this record: at most candidateLimit, so a reused array beats a Set per record.
    const checked = checkedCandidates;
    checked.length = 0;
    for (let band = 0; band < bandCount; band++) {
      const key = packedBand(instruction, band);
      const stored = this.buckets.get(key);
      if (stored === undefined) {
        this.buckets.set(key, record);
        continue;
      }
      const bucket = Array.isArray(stored) ? stored : [stored];
      if (bucket !== stored) this.buckets.set(key, bucket);
      for (let position = bucket.length - 1, seen = 0; position >= 0 && seen < bucketCheckLimit; position--, seen++) {
        const other = bucket[position];
        if (other === undefined) continue;
        if (checked.length >= candidateLimit || checked.includes(other)) continue;
        checked.push(other);
        const theirs = this.members.has(other) ? this.instructionOf(cachedSummary(other, this.version)) : undefined;
        if (theirs === undefined || theirs === null) continue;
        if (theirs === instruction) continue; // identical instruction: duplicate-record's business when the answers match too
        words ??= unpackWords(instruction, ownWords);
        const score = rougeL(words, unpackWords(theirs, otherWords));
        if (score >= this.threshold) this.link(record, other, score);
      }
      if (bucket.length < bucketSizeLimit) bucket.push(record);
    }
  }

  private link(a: DatasetRecord, b: DatasetRecord, score: number): void {
    let forA = this.links.get(a);
    if (forA === undefined) this.links.set(a, (forA = new Map()));
    forA.set(b, score);
    let forB = this.links.get(b);
    if (forB === undefined) this.links.set(b, (forB = new Map()));
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
      if (analysis !== undefined && duplicateKeyOf(analysis) === key) return first;
    }
    return undefined;
  }
}

const indexes = new WeakMap<DatasetDocument, DocumentIndex>();

/**
 * The document's index, brought up to date with its changes since the last call: only added and
 * removed records are visited (all of them after a reset or a settings change).
 */
export function indexFor(document: DatasetDocument, facts: FileFacts): DocumentIndex {
  const nearDuplicates = severityOf('near-duplicate', facts.settings) !== 'off';
  let index = indexes.get(document);
  const changes = document.takeChanges();
  if (index === undefined || changes.reset || index.version !== facts.version || index.threshold !== facts.settings.nearDuplicateThreshold || index.nearDuplicates !== nearDuplicates) {
    index = new DocumentIndex(facts.version, facts.settings.nearDuplicateThreshold, nearDuplicates, (record) => recordProblems(record, facts));
    indexes.set(document, index);
    for (const record of document.records) index.add(record, facts);
    return index;
  }
  // A record can be added and removed between two lints: it must not stay in the index.
  const removed = new Set(changes.removed);
  for (const record of changes.removed) index.remove(record);
  for (const record of changes.added) if (!removed.has(record)) index.add(record, facts);
  return index;
}

/** The other dataset files of the workspace, for train/eval leakage. */
export class WorkspaceIndex {
  private readonly files = new Map<string, { document: DatasetDocument; facts: FileFacts }>();

  setFile(uri: string, document: DatasetDocument, facts: FileFacts): void {
    this.files.set(uri, { document, facts });
  }

  removeFile(uri: string): void {
    this.files.delete(uri);
  }

  /** The other files' indexes, brought up to date once per lint. */
  others(uri: string): { uri: string; index: DocumentIndex; facts: FileFacts; document: DatasetDocument }[] {
    const result: { uri: string; index: DocumentIndex; facts: FileFacts; document: DatasetDocument }[] = [];
    for (const [otherUri, { document, facts }] of this.files) {
      if (otherUri === uri || !document.isDataset) continue;
      void document.records; // keeps record lines current
      result.push({ uri: otherUri, index: indexFor(document, facts), facts, document });
    }
    return result;
  }

  get size(): number {
    return this.files.size;
  }
}

function fileName(uri: string): string {
  const slash = Math.max(uri.lastIndexOf('/'), uri.lastIndexOf('\\'));
  try {
    return decodeURIComponent(uri.slice(slash + 1));
  } catch {
    return uri.slice(slash + 1);
  }
}

/**
 * `countOnly`: the caller already has as many problems as it shows; the per-record file problems are
 * then only counted (building thousands of them on every keystroke would cost more than the rest).
 */
export function fileChecks(document: DatasetDocument, facts: FileFacts, workspace?: WorkspaceIndex, countOnly = false): { problems: FileProblem[]; counted: number } {
  const problems: FileProblem[] = [];
  let counted = 0;
  const records = document.records; // also brings record indexes and lines up to date
  const settings = facts.settings;
  const index = indexFor(document, facts);
  if (countOnly) {
    if (severityOf('mixed-formats', settings) !== 'off' && facts.format !== 'unknown') {
      for (const [format, members] of index.byFormat) if (format !== 'unknown' && format !== facts.format) counted += members.size;
    }
    if (severityOf('duplicate-record', settings) !== 'off') for (const members of index.repeated) counted += members.length - 1;
    if (index.nearDuplicates) {
      for (const [record, partners] of index.links) {
        for (const partner of partners.keys()) {
          if (partner.index < record.index) {
            counted++;
            break;
          }
        }
      }
    }
  }
  if (!countOnly && severityOf('mixed-formats', settings) !== 'off' && facts.format !== 'unknown') {
    for (const [format, members] of index.byFormat) {
      if (format === 'unknown' || format === facts.format) continue;
      // One message per format (not per record): these files can hold thousands of such records.
      const message = mixedFormatMessage(format === 'preference' ? 'preference-trl' : format, facts.format, facts.forced);
      if (message === undefined) continue;
      for (const record of members) {
        const firstKey = summaryOf(record, facts)?.firstKey;
        problems.push({ rule: 'mixed-formats', record, message, target: firstKey !== undefined ? { path: [firstKey], part: 'key' } : { offsets: { start: 0, end: 1 } } });
      }
    }
  }
  if (!countOnly && severityOf('duplicate-record', settings) !== 'off') {
    for (const members of index.repeated) {
      let first = members[0];
      for (const record of members) if (first === undefined || record.index < first.index) first = record;
      if (first === undefined) continue;
      for (const record of members) {
        if (record === first) continue;
        problems.push({ rule: 'duplicate-record', record, message: `Duplicate of record ${first.index + 1} (line ${first.line + 1}): repeated examples are over-weighted in training. Remove this copy.`, fix: { kind: 'remove-record' } });
      }
    }
  }
  if (workspace !== undefined && workspace.size > 1 && severityOf('cross-file-duplicate', settings) !== 'off') {
    const others = workspace.others(facts.uri);
    for (const [hash, stored] of index.groups) {
      if (!others.some((other) => other.index.groups.has(hash))) continue;
      const classes = Array.isArray(stored) ? stored : [[stored]];
      for (const members of classes) {
        const first = members.reduce((best, record) => (record.index < best.index ? record : best));
        const analysis = analyseRecord(first, facts);
        if (analysis === undefined) continue;
        const key = duplicateKeyOf(analysis);
        for (const other of others) {
          const found = other.index.groups.has(hash) ? other.index.findEqual(hash, key, other.facts) : undefined;
          if (found === undefined) continue;
          problems.push({ rule: 'cross-file-duplicate', record: first, message: `The same example is in ${fileName(other.uri)} (line ${found.line + 1}). If one file is the evaluation set, this example leaks into training and inflates the scores: remove it from one file.` });
          break;
        }
      }
    }
  }
  if (!countOnly && index.nearDuplicates) {
    for (const [record, partners] of index.links) {
      let best: { record: DatasetRecord; score: number } | undefined;
      for (const [partner, score] of partners) {
        if (partner.index >= record.index) continue;
        if (best === undefined || score > best.score || (score === best.score && partner.index < best.record.index)) best = { record: partner, score };
      }
      if (best === undefined) continue;
      const path = summaryOf(record, facts)?.instructionPath;
      problems.push({
        rule: 'near-duplicate',
        record,
        ...(path !== undefined ? { target: { path } } : {}),
        message: `This instruction nearly repeats record ${best.record.index + 1} (line ${best.record.line + 1}; ROUGE-L ${best.score.toFixed(2)} >= ${settings.nearDuplicateThreshold}). Near-duplicates add little and skew training: rewrite or remove one.`,
      });
    }
  }
  if (severityOf('too-few-examples', settings) !== 'off' && document.problems.length === 0) {
    const valid = index.valid;
    void records;
    if (valid > 0 && valid < settings.minExamples) {
      problems.push({ rule: 'too-few-examples', message: `Only ${valid} example${valid === 1 ? '' : 's'}: fine-tuning needs at least ${settings.minExamples} (OpenAI requires 10 and recommends 50 to 100). Add more examples.` });
    }
  }
  // Report in file order.
  problems.sort((a, b) => (a.record?.index ?? -1) - (b.record?.index ?? -1));
  return { problems, counted };
}
