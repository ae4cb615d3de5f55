/**
 * Linter benchmark (not a test). Generates a 100k-record JSONL (~100 MB, mixed formats and planted
 * defects) and prints, measured in this run:
 *  - full lint time / bare JSON.parse of every line (same process, same file): target <= 2.0;
 *  - p95 time from a one-line edit to fresh diagnostics through the real LSP server: target <= 20 ms;
 *  - peak memory (max RSS of a fresh process that lints the file) / file size: target <= 3.
 * Run: npm run build && npm run bench:lint [-- --records N] [-- --edits N] [-- --idle-ms N] [-- --breakdown] [-- --floor] [-- --verbose]
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { resolveSettings } from '../server/src/service/config';
import { DatasetDocument } from '../server/src/service/document';
import { lintFiles } from '../server/src/service/files';
import { analyseRecord, summarise } from '../server/src/service/analysis';
import { buildFacts, lintDocument } from '../server/src/service/linter';
import { recordRules } from '../server/src/service/rules/index';
import type { RecordRuleContext } from '../server/src/service/rules/rule';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const RECORDS = option('records', 100_000);
const EDITS = option('edits', 60);
/** --idle-ms N: wait N ms after the first diagnostics before the first edit, as a user reads them (the server's idle work runs then). */
const IDLE_MS = option('idle-ms', 0);
const root = path.resolve(__dirname, '..', '..');
const serverBundle = path.join(root, 'dist', 'server', 'server.js');

// ---------------------------------------------------------------------------------------------
// The generated dataset
// ---------------------------------------------------------------------------------------------

/** Deterministic pseudo-random numbers, so every run lints the same file. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

const functionWords = 'the of and to in is that for it as with was on be by this are or from at which but not have an they you were their one all we can her has there been if more when will would who so no'.split(' ');
/** A synthetic vocabulary of 4,000 content words, drawn with a Zipf-like skew as in real text. */
const contentWords = (() => {
  const syllables = ['ka', 'lo', 'mi', 'ter', 'an', 'sol', 'vi', 'ra', 'den', 'po', 'gra', 'ul', 'ex', 'ni', 'tra', 'mo', 'ser', 'qui', 'fen', 'dor'];
  const next = random(1);
  return Array.from({ length: 4000 }, () => Array.from({ length: 2 + Math.floor(next() * 3) }, () => syllables[Math.floor(next() * syllables.length)]).join(''));
})();

function sentence(next: () => number, words: number): string {
  let text = '';
  for (let index = 0; index < words; index++) {
    const word = next() < 0.45 ? functionWords[Math.floor(next() * functionWords.length)] : contentWords[Math.floor(Math.pow(next(), 2) * contentWords.length)];
    text += (index === 0 ? '' : ' ') + word;
  }
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** One JSONL line; about 1 KB. Mostly OpenAI chat, some ShareGPT/Alpaca (mixed formats), ~5% defects. */
function makeRecord(index: number, next: () => number): string {
  const question = `${sentence(next, 12 + Math.floor(next() * 10))} (${index})`;
  const answer = Array.from({ length: 5 }, () => sentence(next, 22 + Math.floor(next() * 8))).join(' ');
  const kind = next();
  const defect = next();
  if (defect < 0.004) return `{"messages": [{"role": "user", "content": "${question}"}, {"role": "assistant" "content": "${answer}"}]}`; // invalid JSON
  if (kind < 0.04) return JSON.stringify({ conversations: [{ from: 'human', value: question }, { from: 'gpt', value: answer }] });
  if (kind < 0.08) return JSON.stringify({ instruction: question, input: '', output: answer });
  const messages: { role: string; content: string }[] = [{ role: 'system', content: 'You are a helpful assistant for the benchmark.' }, { role: 'user', content: question }, { role: 'assistant', content: answer }];
  if (defect < 0.012) messages[1] = { role: 'usr', content: question };
  else if (defect < 0.02) messages[2] = { role: 'assistant', content: `${answer}\n` };
  else if (defect < 0.028) messages[2] = { role: 'assistant', content: `Dear {{customer_name}}, ${answer}` };
  else if (defect < 0.036) messages[2] = { role: 'assistant', content: `As an AI language model, ${answer}` };
  else if (defect < 0.04) messages.push({ role: 'user', content: 'Thanks!' });
  return JSON.stringify({ messages });
}

function generate(file: string): number {
  const next = random(42);
  const lines: string[] = [];
  let previous = '';
  for (let index = 0; index < RECORDS; index++) {
    // ~1% exact duplicates of the previous record.
    const line = index > 0 && next() < 0.01 ? previous : makeRecord(index, next);
    lines.push(line);
    previous = line;
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return fs.statSync(file).size;
}

// ---------------------------------------------------------------------------------------------
// 1. Full lint vs bare JSON.parse
// ---------------------------------------------------------------------------------------------

function bareParse(text: string): number {
  const started = performance.now();
  let start = 0;
  let parsed = 0;
  for (;;) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end < 0 ? text.length : end);
    if (line.length > 0) {
      try {
        JSON.parse(line);
        parsed++;
      } catch {
        // the planted invalid lines
      }
    }
    if (end < 0) break;
    start = end + 1;
  }
  if (parsed === 0) throw new Error('nothing parsed');
  return performance.now() - started;
}

function fullLint(text: string): { ms: number; problems: number } {
  const { settings } = resolveSettings({ maxProblems: 0 });
  const started = performance.now();
  const document = DatasetDocument.parse(text, 'jsonl');
  const result = lintDocument(document, 'file:///bench.jsonl', settings);
  return { ms: performance.now() - started, problems: result.diagnostics.length };
}

/**
 * Where the full lint's time goes, each share timed alone over every record (best of two) and given
 * as a multiple of the bare JSON.parse: parsing and normalising into the canonical conversation,
 * each record rule on top of that, the per-record summary (duplicate hash, near-duplicate signature),
 * and the rest (file index, near-duplicate candidates, file rules) as the full lint minus those.
 */
function breakdown(text: string, parseMs: number, lintMs: number): void {
  const { settings } = resolveSettings({ maxProblems: 0 });
  const timed = (work: (records: readonly DatasetDocument['records'][number][], facts: ReturnType<typeof buildFacts>) => void): number => {
    let best = Infinity;
    for (let round = 0; round < 2; round++) {
      const document = DatasetDocument.parse(text, 'jsonl');
      const facts = buildFacts(document, 'file:///bench.jsonl', settings, { detectFormat: false });
      facts.format = 'openai-chat';
      const records = document.records;
      const started = performance.now();
      work(records, facts);
      best = Math.min(best, performance.now() - started);
    }
    return best;
  };
  const analysed = timed((records, facts) => {
    for (const record of records) {
      analyseRecord(record, facts);
      record.release();
    }
  });
  const shares: [string, number][] = [['parse + canonical conversation', analysed]];
  for (const rule of recordRules) {
    const withRule = timed((records, facts) => {
      for (const record of records) {
        const analysis = analyseRecord(record, facts);
        if (analysis !== undefined) {
          const context: RecordRuleContext = { record, analysis, settings, facts, report: () => undefined };
          rule.check(context);
        }
        record.release();
      }
    });
    shares.push([`rule ${rule.meta.id}`, Math.max(0, withRule - analysed)]);
  }
  const summarised = timed((records, facts) => {
    for (const record of records) {
      const analysis = analyseRecord(record, facts);
      if (analysis !== undefined) summarise(record, analysis, facts);
      record.release();
    }
  });
  shares.push(['record summary (hashes, signature)', Math.max(0, summarised - analysed)]);
  const accounted = shares.reduce((sum, [, ms]) => sum + ms, 0);
  shares.push(['the rest (index, candidates, file rules, GC)', Math.max(0, lintMs - accounted)]);
  console.log("where the full lint time goes (x JSON.parse, each share timed alone; work that rules share, such as token counts, is counted in each):");
  for (const [name, ms] of shares.sort((a, b) => b[1] - a[1])) if (ms / parseMs >= 0.05) console.log(`  ${name.padEnd(46)} ${(ms / parseMs).toFixed(2)}`);
}

/**
 * What the cheapest form of a few of the issue's checks costs on top of the bare JSON.parse, with no
 * canonical conversation, no positions and no other rule: a lower bound for any linter in this
 * runtime, not a measure of ours. Each is one native pass per line (V8's string search, Map hashing,
 * irregexp); the refusal check is the shortest list of words that every refusal form contains.
 */
function floor(text: string, parseMs: number): void {
  const lines = text.split('\n').filter((line) => line.length > 0);
  const parseEach = (line: string): unknown => {
    try {
      return JSON.parse(line);
    } catch {
      return undefined; // the planted invalid lines
    }
  };
  // The answer's first 600 characters, as the boilerplate rule reads them (the three formats of the file).
  const answerHead = (value: unknown): string => {
    const record = value as { messages?: { content?: unknown }[]; conversations?: { value?: unknown }[]; output?: unknown } | undefined;
    const answer = record?.messages?.[record.messages.length - 1]?.content ?? record?.conversations?.[record.conversations.length - 1]?.value ?? record?.output;
    return typeof answer === 'string' ? answer.slice(0, 600) : '';
  };
  const best = (work: () => void): number => {
    let fastest = Infinity;
    for (let round = 0; round < 3; round++) {
      const started = performance.now();
      work();
      fastest = Math.min(fastest, performance.now() - started);
    }
    return fastest;
  };
  const refusalWords = /AI|[Ss]orry|[Aa]pologi|[Ll]anguage model|cannot|can't|unable/;
  const refusalNeedles = ['AI', 'orry', 'pologi', 'anguage model', 'cannot', "can't", 'unable'];
  let sink = 0;
  const parsed = best(() => lines.forEach(parseEach));
  const rare = best(() => lines.forEach((line) => { parseEach(line); sink += line.indexOf('\u0007'); }));
  const duplicates = best(() => { const seen = new Map<string, number>(); lines.forEach((line) => { parseEach(line); seen.set(line, (seen.get(line) ?? 0) + 1); }); sink += seen.size; });
  // Two ways to look for the words in each answer's head, the faster counts: one regex, or one native substring search per word.
  const byRegex = (head: string): boolean => refusalWords.test(head);
  const bySearch = (head: string): boolean => refusalNeedles.some((needle) => head.includes(needle));
  const refusalsByRegex = best(() => lines.forEach((line) => { if (byRegex(answerHead(parseEach(line)))) sink++; }));
  const refusalsBySearch = best(() => lines.forEach((line) => { if (bySearch(answerHead(parseEach(line)))) sink++; }));
  const refusals = Math.min(refusalsByRegex, refusalsBySearch);
  const find = refusalsByRegex <= refusalsBySearch ? byRegex : bySearch;
  const both = best(() => {
    const seen = new Map<string, number>();
    lines.forEach((line) => {
      if (find(answerHead(parseEach(line)))) sink++;
      seen.set(line, 1);
    });
  });
  const ratio = (ms: number): string => (ms / parsed).toFixed(2);
  console.log(`floor (x JSON.parse of the same lines, ${parsed.toFixed(0)} ms here against ${parseMs.toFixed(0)} ms above; the cheapest form of each check alone, nothing else):`);
  console.log(`  JSON.parse + one native scan of each line for one character                 ${ratio(rare)}`);
  console.log(`  JSON.parse + exact duplicates (each line hashed into a Map)                   ${ratio(duplicates)}`);
  console.log(`  JSON.parse + refusals (the words every refusal has, in each answer's head)     ${ratio(refusals)}`);
  console.log(`  JSON.parse + both                                                            ${ratio(both)}   (sink ${sink & 1})`);
}

// ---------------------------------------------------------------------------------------------
// 2. Edit -> diagnostics latency through the real server

/** Starts the built server over stdio and initializes it as a client with default settings. */
async function startServer(): Promise<{ child: ReturnType<typeof spawn>; connection: ReturnType<typeof createMessageConnection> }> {
  const child = spawn(process.execPath, ['--max-old-space-size=4096', serverBundle, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => ({})));
  connection.onRequest('client/registerCapability', () => null);
  connection.listen();
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, workspaceFolders: null, capabilities: { workspace: { configuration: true } } });
  connection.sendNotification('initialized', {});
  return { child, connection };
}

/** Shuts the server down and waits for it to exit, so no write to its closed pipe is left pending. */
async function stopServer(child: ReturnType<typeof spawn>, connection: ReturnType<typeof createMessageConnection>): Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  await connection.sendRequest('shutdown');
  connection.sendNotification('exit');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
  connection.dispose();
  child.kill();
}
// ---------------------------------------------------------------------------------------------

async function editLatency(file: string, text: string): Promise<{ p50: number; p95: number; max: number; firstPull: number; open: number; unchanged: number }> {
  const { child, connection } = await startServer();
  const uri = pathToFileURL(file).href;
  // As VS Code's client does: send the last report's result id, so the server may answer "unchanged".
  let resultId: string | undefined;
  let unchanged = 0;
  let lastKind = '';
  const pull = async (): Promise<void> => {
    const report: { kind: 'full' | 'unchanged'; resultId?: string } = await connection.sendRequest('textDocument/diagnostic', { textDocument: { uri }, previousResultId: resultId });
    resultId = report.resultId;
    lastKind = report.kind;
    if (report.kind === 'unchanged') unchanged++;
  };
  let started = performance.now();
  connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'jsonl', version: 1, text } });
  await connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } }); // waits until opened
  const open = performance.now() - started;
  started = performance.now();
  await pull();
  const firstPull = performance.now() - started;
  if (IDLE_MS > 0) await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const lines = text.split('\n');
  const next = random(7);
  const timings: number[] = [];
  const kinds: string[] = [];
  for (let edit = 0; edit < EDITS; edit++) {
    const line = Math.floor(next() * (lines.length - 1));
    const old = lines[line] ?? '';
    // A realistic one-line edit: retype the record with a changed answer (sometimes breaking it).
    const replacement = edit % 5 === 4 ? old.slice(0, Math.max(1, old.length - 2)) : makeRecord(1_000_000 + edit, next);
    lines[line] = replacement;
    started = performance.now();
    connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: edit + 2 }, contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: old.length } }, text: replacement }] });
    await pull();
    timings.push(performance.now() - started);
    kinds.push(lastKind);
  }
  await stopServer(child, connection);
  // --verbose: each edit's time in order, "f" for a full report (the shown diagnostics changed), to see what sets the p95.
  if (args.includes('--verbose')) console.log(`edits in order (ms; f = full report): ${timings.map((ms, index) => `${ms.toFixed(0)}${kinds[index] === 'full' ? 'f' : ''}`).join(' ')}`);
  timings.sort((a, b) => a - b);
  const at = (fraction: number): number => timings[Math.min(timings.length - 1, Math.ceil(fraction * timings.length) - 1)] ?? 0;
  return { p50: at(0.5), p95: at(0.95), max: timings[timings.length - 1] ?? 0, firstPull, open, unchanged };
}

/**
 * Typing in a pretty-printed JSON array (the Alpaca-style layout) through the real server: one
 * character at a time inside answer strings of records spread over the file. Not a target of the
 * issue; printed so the JSON path stays fast.
 */
async function jsonTypingLatency(folder: string, jsonlText: string, records: number): Promise<{ p50: number; p95: number; first: number; size: number; append: { p50: number; p95: number; keystrokes: number }; between: { p50: number; p95: number; keystrokes: number } }> {
  const values = jsonlText.split('\n').slice(0, records).flatMap((line) => {
    try {
      return [JSON.parse(line) as unknown];
    } catch {
      return [];
    }
  });
  const text = `${JSON.stringify(values, null, 2)}\n`;
  // In a folder of its own: the JSONL file beside it would count as a sibling for leakage checks.
  fs.mkdirSync(path.join(folder, 'json'));
  const file = path.join(folder, 'json', 'bench.json');
  fs.writeFileSync(file, text);
  const { child, connection } = await startServer();
  const uri = pathToFileURL(file).href;
  connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'json', version: 1, text } });
  let resultId: string | undefined;
  const pull = async (): Promise<void> => {
    const report: { resultId?: string } = await connection.sendRequest('textDocument/diagnostic', { textDocument: { uri }, previousResultId: resultId });
    resultId = report.resultId;
  };
  await pull();
  const lines = text.split('\n');
  const answerLines = lines.flatMap((line, index) => (line.includes('"content": "') || line.includes('"output": "') || line.includes('"value": "') ? [index] : []));
  const timings: number[] = [];
  for (let edit = 0; edit < 30; edit++) {
    const line = answerLines[Math.floor(((edit * 7919) % 1000) / 1000 * answerLines.length)] ?? 0;
    const character = (lines[line] ?? '').indexOf(': "') + 3;
    const started = performance.now();
    connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: edit + 2 }, contentChanges: [{ range: { start: { line, character }, end: { line, character } }, text: 'x' }] });
    lines[line] = `${(lines[line] ?? '').slice(0, character)}x${(lines[line] ?? '').slice(character)}`;
    await pull();
    timings.push(performance.now() - started);
  }
  // Then a new record typed after the last one, a keystroke at a time: states that do not parse, between records.
  const appendTimings: number[] = [];
  let line = lines.length - 3; // the last record's closing brace, before "]"
  let character = (lines[line] ?? '').length;
  for (const typed of [',', '\n', ' ', ' ', ...'{"instruction": "Name a planet", "output": "Mars"}']) {
    const started = performance.now();
    connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 100 + appendTimings.length }, contentChanges: [{ range: { start: { line, character }, end: { line, character } }, text: typed }] });
    await pull();
    appendTimings.push(performance.now() - started);
    if (typed === '\n') {
      line++;
      character = 0;
    } else character += typed.length;
  }
  // Then a new record typed between two records in the middle, a keystroke at a time, braces and quotes not closed
  // ahead: every state up to the last comma leaves the array broken before the 25k records after it.
  const betweenTimings: number[] = [];
  line = lines.findIndex((candidate, index) => candidate === '  },' && index > lines.length / 2);
  character = (lines[line] ?? '').length;
  for (const typed of ['\n', ' ', ' ', ...'{"instruction": "Name a planet", "output": "Mars"},']) {
    const started = performance.now();
    connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 200 + betweenTimings.length }, contentChanges: [{ range: { start: { line, character }, end: { line, character } }, text: typed }] });
    await pull();
    betweenTimings.push(performance.now() - started);
    if (typed === '\n') {
      line++;
      character = 0;
    } else character += typed.length;
  }
  await stopServer(child, connection);
  const first = timings[0] ?? 0;
  timings.sort((a, b) => a - b);
  appendTimings.sort((a, b) => a - b);
  betweenTimings.sort((a, b) => a - b);
  const at = (sorted: readonly number[], fraction: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0;
  return {
    p50: at(timings, 0.5),
    p95: at(timings, 0.95),
    first,
    size: text.length,
    append: { p50: at(appendTimings, 0.5), p95: at(appendTimings, 0.95), keystrokes: appendTimings.length },
    between: { p50: at(betweenTimings, 0.5), p95: at(betweenTimings, 0.95), keystrokes: betweenTimings.length },
  };
}

/**
 * Typing in eval.jsonl while train.jsonl (the bench file) is open beside it and shares all of eval's
 * records (the leakage worst case): each edit, then a pull of both files, as VS Code does for
 * interdependent files. Not a target of the issue; printed so the cross-file path stays fast.
 */
async function pairEditLatency(text: string, evalRecords: number): Promise<{ p50: number; p95: number; firstPulls: number }> {
  const { child, connection } = await startServer();
  // URIs of a folder that does not exist: no sibling is read from disk, both files come from the editor.
  const train = 'file:///tunesmith-bench-pair/train.jsonl';
  const evaluation = 'file:///tunesmith-bench-pair/eval.jsonl';
  const evalLines = text.split('\n').slice(0, evalRecords);
  connection.sendNotification('textDocument/didOpen', { textDocument: { uri: train, languageId: 'jsonl', version: 1, text } });
  connection.sendNotification('textDocument/didOpen', { textDocument: { uri: evaluation, languageId: 'jsonl', version: 1, text: `${evalLines.join('\n')}\n` } });
  const resultIds = new Map<string, string | undefined>();
  const pull = async (uri: string): Promise<void> => {
    const report: { resultId?: string } = await connection.sendRequest('textDocument/diagnostic', { textDocument: { uri }, previousResultId: resultIds.get(uri) });
    resultIds.set(uri, report.resultId);
  };
  let started = performance.now();
  // The second file's first lint makes the first count its leaks: both are pulled again.
  for (let round = 0; round < 2; round++) await Promise.all([pull(train), pull(evaluation)]);
  const firstPulls = performance.now() - started;
  const next = random(11);
  const timings: number[] = [];
  for (let edit = 0; edit < 30; edit++) {
    const line = Math.floor(next() * evalLines.length);
    const old = evalLines[line] ?? '';
    const replacement = makeRecord(2_000_000 + edit, next);
    evalLines[line] = replacement;
    started = performance.now();
    connection.sendNotification('textDocument/didChange', { textDocument: { uri: evaluation, version: edit + 2 }, contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: old.length } }, text: replacement }] });
    await Promise.all([pull(evaluation), pull(train)]);
    timings.push(performance.now() - started);
  }
  await stopServer(child, connection);
  timings.sort((a, b) => a - b);
  const at = (fraction: number): number => timings[Math.min(timings.length - 1, Math.ceil(fraction * timings.length) - 1)] ?? 0;
  return { p50: at(0.5), p95: at(0.95), firstPulls };
}

// ---------------------------------------------------------------------------------------------
// 3. Peak memory of a fresh process that lints the file
// ---------------------------------------------------------------------------------------------

function peakMemory(file: string): { maxRssBytes: number; problems: number; baselineRssBytes: number } {
  const script = `
    const { lintFiles } = require(${JSON.stringify(path.join(__dirname, '..', 'server', 'src', 'service', 'files.js'))});
    const baseline = process.memoryUsage().rss;
    lintFiles([${JSON.stringify(file)}], { overrides: { maxProblems: 0 } }).then((result) => {
      const problems = result.files.reduce((sum, entry) => sum + entry.diagnostics.length, 0);
      process.stdout.write(JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024, problems, baselineRssBytes: baseline }));
    });`;
  const run = spawnSync(process.execPath, ['--max-old-space-size=4096', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (run.status !== 0) throw new Error(`memory run failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as { maxRssBytes: number; problems: number; baselineRssBytes: number };
}

async function main(): Promise<void> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-bench-'));
  const file = path.join(folder, 'bench.jsonl');
  try {
    const size = generate(file);
    const text = fs.readFileSync(file, 'utf8');
    console.log(`dataset: ${RECORDS} records, ${(size / 1e6).toFixed(1)} MB (${file})`);
    // Warm up both paths once, then take the best of three (the machine is shared).
    bareParse(text);
    fullLint(text);
    const parseTimes: number[] = [];
    const lintTimes: number[] = [];
    let problems = 0;
    for (let round = 0; round < 3; round++) {
      parseTimes.push(bareParse(text));
      const lint = fullLint(text);
      lintTimes.push(lint.ms);
      problems = lint.problems;
    }
    const parseMs = Math.min(...parseTimes);
    const lintMs = Math.min(...lintTimes);
    console.log(`bare JSON.parse of every line: ${parseMs.toFixed(0)} ms`);
    console.log(`full lint (all rules, ${problems} problems): ${lintMs.toFixed(0)} ms`);
    console.log(`RATIO lint / JSON.parse = ${(lintMs / parseMs).toFixed(2)} (target <= 2.0)`);
    if (args.includes('--breakdown')) breakdown(text, parseMs, lintMs);
    if (args.includes('--floor')) floor(text, parseMs);

    const memory = peakMemory(file);
    console.log(`peak RSS linting in a fresh process: ${(memory.maxRssBytes / 1e6).toFixed(0)} MB (node baseline ${(memory.baselineRssBytes / 1e6).toFixed(0)} MB, ${memory.problems} problems)`);
    console.log(`RATIO peak memory / file size = ${(memory.maxRssBytes / size).toFixed(2)} (target <= 3)`);

    if (fs.existsSync(serverBundle)) {
      const latency = await editLatency(file, text);
      console.log(`LSP: didOpen -> first hover answered ${latency.open.toFixed(0)} ms (sending the text included; hover does not wait for the lint), first full pull (the first lint, in slices) ${latency.firstPull.toFixed(0)} ms`);
      console.log(`LSP one-line edit -> fresh diagnostics over ${EDITS} edits${IDLE_MS > 0 ? ` (starting ${IDLE_MS} ms after the first diagnostics)` : ''}: p50 ${latency.p50.toFixed(1)} ms, p95 ${latency.p95.toFixed(1)} ms, max ${latency.max.toFixed(1)} ms (${latency.unchanged} answered "unchanged")`);
      console.log(`P95 edit latency = ${latency.p95.toFixed(1)} ms (target <= 20)`);
      const json = await jsonTypingLatency(folder, text, Math.min(RECORDS, 50_000));
      console.log(`JSON array (${Math.min(RECORDS, 50_000)} records pretty-printed, ${(json.size / 1e6).toFixed(0)} MB), typing one character -> fresh diagnostics over 30 keystrokes: p50 ${json.p50.toFixed(1)} ms, p95 ${json.p95.toFixed(1)} ms (first ${json.first.toFixed(0)} ms)`);
      console.log(`  then typing a new record after the last one (${json.append.keystrokes} keystrokes, most of them leave the array broken): p50 ${json.append.p50.toFixed(1)} ms, p95 ${json.append.p95.toFixed(1)} ms`);
      console.log(`  then typing a new record between two in the middle (${json.between.keystrokes} keystrokes, braces not closed ahead: the array broken before the records after it): p50 ${json.between.p50.toFixed(1)} ms, p95 ${json.between.p95.toFixed(1)} ms`);
      const pairRecords = Math.min(RECORDS, 20_000);
      const pair = await pairEditLatency(text, pairRecords);
      console.log(`train.jsonl (${RECORDS} records) and eval.jsonl (${pairRecords} of them) open together, editing eval -> fresh diagnostics of both over 30 edits: p50 ${pair.p50.toFixed(1)} ms, p95 ${pair.p95.toFixed(1)} ms (first lints of both ${pair.firstPulls.toFixed(0)} ms)`);
    } else {
      console.log('LSP latency skipped: run `npm run build` first');
    }
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
  void lintFiles;
}

if (process.argv.includes("--generate-only")) { generate(process.argv[process.argv.length-1]); } else main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
