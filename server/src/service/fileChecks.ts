/**
 * File-level rules: exact duplicates (within the file and across files: train/eval leakage),
 * near-duplicate instructions and too few examples.
 *
 * Each document keeps an index (duplicate groups by conversation hash; LSH buckets and verified
 * near-duplicate links) that is updated with only the records an edit added or removed, so a
 * one-line edit in a 100k-record file does not recompute the whole file.
 */
import { analyseRecord, duplicateKeyOf, summaryOf } from './analysis';
import type { DatasetDocument, DatasetRecord } from './document';
import type { FileFacts } from './fileFacts';
import { bands as bandCount, rougeL, type InstructionSignature } from './nearDuplicates';
import type { FileProblem } from './rules/rule';
import { severityOf } from './rules/index';

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

class DocumentIndex {
  readonly groups = new Map<number, DatasetRecord[]>();
  readonly buckets = new Map<number, DatasetRecord[]>();
  /** Verified near-duplicate pairs, both directions, with their ROUGE-L. */
  readonly links = new Map<DatasetRecord, Map<DatasetRecord, number>>();
  /** Groups with more than one member. */
  readonly repeated = new Set<DatasetRecord[]>();
  private readonly hashes = new Map<DatasetRecord, { duplicate: number; instruction: InstructionSignature | null }>();

  constructor(
    readonly version: number,
    readonly threshold: number,
    readonly nearDuplicates: boolean,
  ) {}

  add(record: DatasetRecord, facts: FileFacts): void {
    const summary = summaryOf(record, facts);
    if (summary === undefined || summary.empty) return;
    const instruction = this.nearDuplicates && summary.instruction.bands !== null ? summary.instruction : null;
    this.hashes.set(record, { duplicate: summary.duplicateHash, instruction });
    let group = this.groups.get(summary.duplicateHash);
    if (group === undefined) {
      group = [];
      this.groups.set(summary.duplicateHash, group);
    }
    group.push(record);
    if (group.length === 2) this.repeated.add(group);
    if (instruction !== null) this.addNear(record, instruction);
  }

  remove(record: DatasetRecord): void {
    const hashes = this.hashes.get(record);
    if (hashes === undefined) return;
    this.hashes.delete(record);
    const group = this.groups.get(hashes.duplicate);
    if (group !== undefined) {
      const at = group.indexOf(record);
      if (at >= 0) group.splice(at, 1);
      if (group.length < 2) this.repeated.delete(group);
      if (group.length === 0) this.groups.delete(hashes.duplicate);
    }
    if (hashes.instruction?.bands != null) {
      for (const band of hashes.instruction.bands) {
        const bucket = this.buckets.get(band);
        if (bucket === undefined) continue;
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

  private addNear(record: DatasetRecord, instruction: InstructionSignature): void {
    const bands = instruction.bands;
    if (bands === null) return;
    let checked: Set<DatasetRecord> | undefined;
    for (let band = 0; band < bandCount; band++) {
      const key = bands[band] ?? 0;
      const bucket = this.buckets.get(key);
      if (bucket === undefined) {
        this.buckets.set(key, [record]);
        continue;
      }
      for (let position = bucket.length - 1, seen = 0; position >= 0 && seen < bucketCheckLimit; position--, seen++) {
        const other = bucket[position];
        if (other === undefined) continue;
        checked ??= new Set();
        if (checked.has(other) || checked.size >= candidateLimit) continue;
        checked.add(other);
        const theirs = this.hashes.get(other)?.instruction;
        if (theirs === undefined || theirs === null) continue;
        if (sameWords(theirs.words, instruction.words)) continue; // identical instruction: duplicate-record's business when the answers match too
        const score = rougeL(instruction.words, theirs.words);
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

  /** Records whose conversation equals this key (hash match confirmed by the full key). */
  findEqual(hash: number, key: string, facts: FileFacts): DatasetRecord | undefined {
    const group = this.groups.get(hash);
    if (group === undefined) return undefined;
    for (const record of group) {
      const analysis = analyseRecord(record, facts);
      if (analysis !== undefined && duplicateKeyOf(analysis) === key) return record;
    }
    return undefined;
  }
}

function sameWords(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

const indexes = new WeakMap<DatasetDocument, DocumentIndex>();

/** The document's index, brought up to date with its changes since the last call. */
function indexFor(document: DatasetDocument, facts: FileFacts): DocumentIndex {
  const nearDuplicates = severityOf('near-duplicate', facts.settings) !== 'off';
  let index = indexes.get(document);
  const changes = document.takeChanges();
  if (index === undefined || changes.reset || index.version !== facts.version || index.threshold !== facts.settings.nearDuplicateThreshold || index.nearDuplicates !== nearDuplicates) {
    index = new DocumentIndex(facts.version, facts.settings.nearDuplicateThreshold, nearDuplicates);
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

export function fileChecks(document: DatasetDocument, facts: FileFacts, workspace?: WorkspaceIndex): FileProblem[] {
  const problems: FileProblem[] = [];
  const records = document.records; // also brings record indexes and lines up to date
  const settings = facts.settings;
  const index = indexFor(document, facts);
  if (severityOf('duplicate-record', settings) !== 'off') {
    for (const group of index.repeated) {
      // Groups share a hash; split them by the full key (collisions are astronomically rare but possible).
      const byKey = new Map<string, DatasetRecord[]>();
      for (const record of group) {
        const analysis = analyseRecord(record, facts);
        if (analysis === undefined) continue;
        const key = duplicateKeyOf(analysis);
        const same = byKey.get(key);
        if (same === undefined) byKey.set(key, [record]);
        else same.push(record);
      }
      for (const same of byKey.values()) {
        if (same.length < 2) continue;
        same.sort((a, b) => a.index - b.index);
        const first = same[0];
        if (first === undefined) continue;
        for (const record of same.slice(1)) {
          problems.push({ rule: 'duplicate-record', record, message: `Duplicate of record ${first.index + 1} (line ${first.line + 1}): repeated examples are over-weighted in training. Remove this copy.`, fix: { kind: 'remove-record' } });
        }
      }
    }
  }
  if (workspace !== undefined && workspace.size > 1 && severityOf('cross-file-duplicate', settings) !== 'off') {
    const others = workspace.others(facts.uri);
    for (const [hash, group] of index.groups) {
      if (!others.some((other) => other.index.groups.has(hash))) continue;
      const first = group.reduce((best, record) => (record.index < best.index ? record : best));
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
  if (index.nearDuplicates) {
    for (const [record, partners] of index.links) {
      let best: { record: DatasetRecord; score: number } | undefined;
      for (const [partner, score] of partners) {
        if (partner.index >= record.index) continue;
        if (best === undefined || score > best.score || (score === best.score && partner.index < best.record.index)) best = { record: partner, score };
      }
      if (best === undefined) continue;
      const analysis = analyseRecord(record, facts);
      const firstUser = analysis?.conversation.turns.find((turn) => turn.role === 'user' || analysis.conversation.plainText);
      const part = firstUser?.parts[0];
      problems.push({
        rule: 'near-duplicate',
        record,
        ...(part !== undefined ? { target: { path: part.path } } : {}),
        message: `This instruction nearly repeats record ${best.record.index + 1} (line ${best.record.line + 1}; ROUGE-L ${best.score.toFixed(2)} >= ${settings.nearDuplicateThreshold}). Near-duplicates add little and skew training: rewrite or remove one.`,
      });
    }
  }
  if (severityOf('too-few-examples', settings) !== 'off' && document.problems.length === 0) {
    let valid = 0;
    for (const record of records) if (record.syntaxError === undefined) valid++;
    if (valid > 0 && valid < settings.minExamples) {
      problems.push({ rule: 'too-few-examples', message: `Only ${valid} example${valid === 1 ? '' : 's'}: fine-tuning needs at least ${settings.minExamples} (OpenAI requires 10 and recommends 50 to 100). Add more examples.` });
    }
  }
  // Report in file order.
  problems.sort((a, b) => (a.record?.index ?? -1) - (b.record?.index ?? -1));
  return problems;
}
