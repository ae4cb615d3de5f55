/** Near-duplicate instructions: the fast ROUGE-L, the signatures, and recall on planted pairs among many records. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveSettings } from '../../../server/src/service/config';
import { DatasetDocument } from '../../../server/src/service/document';
import { indexFor } from '../../../server/src/service/fileChecks';
import { buildFacts, lintDocument } from '../../../server/src/service/linter';
import { maxBands, instructionSignature, packSignature, packedHasBands, packedIsCut, packedWordCount, rougeL, RougeVerifier, signInstruction, words } from '../../../server/src/service/nearDuplicates';
import { DatasetSession } from '../../../server/src/service/session';
import { seededRandom } from './helpers';


const chat = (user: string, assistant: string): string => JSON.stringify({ messages: [{ role: 'user', content: user }, { role: 'assistant', content: assistant }] });

describe('RougeVerifier', () => {
  it('gives exactly the dynamic-programming ROUGE-L at or above the threshold, and never drops such a pair', () => {
    const next = seededRandom(11);
    const verifier = new RougeVerifier();
    const bandList = Array.from({ length: maxBands }, (_, index) => index);
    for (let trial = 0; trial < 3000; trial++) {
      // Small vocabularies give long common subsequences; lengths cross the 32-word blocks.
      const vocabulary = 2 + Math.floor(next() * 12);
      const sequence = (): number[] => Array.from({ length: 1 + Math.floor(next() * 128) }, () => 1000 + Math.floor(next() * vocabulary) * 7919);
      const a = sequence();
      const b = next() < 0.5 ? sequence() : a.map((word) => (next() < 0.2 ? 1000 + Math.floor(next() * vocabulary) * 7919 : word)).slice(0, 1 + Math.floor(next() * a.length));
      const threshold = [0.05, 0.5, 0.7, 0.9][trial % 4] ?? 0.7;
      verifier.load(packSignature({ words: a, bands: bandList }));
      const expected = rougeL(a, b);
      const score = verifier.score(packSignature({ words: b, bands: bandList }), threshold);
      if (expected >= threshold) assert.equal(score, expected, `trial ${trial}: ${a.length} x ${b.length} words`);
      else assert.ok(score < threshold, `trial ${trial}: ${score} for ${expected}`);
    }
  });
});

describe('instruction signatures', () => {
  it('hash every word as ROUGE sees it, and have bands only with three content words or more', () => {
    for (const text of ['Write a short poem about the sea and its waves', 'Hi there!', 'What is it?', 'Ünïcode wörds, digits 42 and CAPS', '']) {
      const packed = signInstruction(text);
      assert.equal(packedWordCount(packed), words(text).length, text);
      assert.equal(packSignature(instructionSignature(text)), packed, text);
      assert.equal(packedHasBands(packed), text.startsWith('Write') || text.startsWith('Ünï'), text);
    }
    assert.equal(signInstruction('Explain THE Compiler'), signInstruction('explain the compiler'));
    // Only the first maxWords (128) words are signed: an instruction of exactly 128 words is whole, one of 129 is cut.
    const wordsOf = (count: number): string => Array.from({ length: count }, (_, index) => `word${index}`).join(' ');
    for (const [text, cut] of [[wordsOf(127), false], [wordsOf(128), false], [`${wordsOf(128)}.  `, false], [wordsOf(129), true], [`${wordsOf(128)}, more`, true]] as const) {
      const packed = signInstruction(text);
      assert.deepEqual([packedWordCount(packed), packedIsCut(packed)], [Math.min(words(text).length, 128), cut], text.slice(-20));
      assert.equal(packSignature(instructionSignature(text)), packed);
    }
    // Few content words: all the words are signed; fewer than five distinct words: not compared.
    assert.equal(packedHasBands(signInstruction('Write a poem about love')), true);
    assert.equal(packedHasBands(signInstruction('Translate to Italian: no')), false);
    assert.equal(packedHasBands(signInstruction('How are you?')), false);
    // Letters of every script are lower-cased; punctuation, symbols and spaces past ASCII separate words.
    assert.equal(signInstruction('ÉCRIS UN POÈME SUR ZÜRICH'), signInstruction('écris un poème sur zürich'));
    assert.deepEqual(words('don’t\u00a0stop—now «vite» 🙂 naïve café 42'), ['don', 't', 'stop', 'now', 'vite', 'naïve', 'café', '42']);
    assert.equal(packedWordCount(signInstruction('one\u00a0two\u2014three…four')), 4);
  });
});

// A synthetic language: common function words and a skewed vocabulary of content words, as in real prompts.
const functionWords = 'the of and to in is that for it as with was on be by this are or from at which but not have an they you'.split(' ');
const contentWords = (() => {
  const syllables = ['ka', 'lo', 'mi', 'ter', 'an', 'sol', 'vi', 'ra', 'den', 'po', 'gra', 'ul', 'ex', 'ni', 'tra', 'mo'];
  const next = seededRandom(5);
  return Array.from({ length: 3000 }, () => Array.from({ length: 2 + Math.floor(next() * 3) }, () => syllables[Math.floor(next() * syllables.length)]).join(''));
})();
function word(next: () => number): string {
  return next() < 0.4 ? (functionWords[Math.floor(next() * functionWords.length)] ?? 'the') : (contentWords[Math.floor(next() * next() * contentWords.length)] ?? 'x');
}

function contentJaccard(a: string, b: string): number {
  const first = new Set(a.split(' ').filter((item) => !functionWords.includes(item)));
  const second = new Set(b.split(' ').filter((item) => !functionWords.includes(item)));
  let shared = 0;
  for (const item of first) if (second.has(item)) shared++;
  return shared / (first.size + second.size - shared);
}

function contentCount(prompt: readonly string[]): number {
  return new Set(prompt.filter((item) => !functionWords.includes(item))).size;
}

/** A copy of `base` edited (words replaced, dropped or added) until its ROUGE-L with it falls in [low, high]. */
function nearCopy(base: string[], next: () => number, low: number, high: number): string[] | undefined {
  let copy = base.slice();
  for (let step = 0; step < 60; step++) {
    const edited = copy.slice();
    const at = Math.floor(next() * edited.length);
    const operation = next();
    if (operation < 0.5) edited[at] = word(next);
    else if (operation < 0.75 && edited.length > 4) edited.splice(at, 1);
    else edited.splice(at, 0, word(next));
    const score = rougeL(base, edited);
    if (score < low) continue; // too far: try another edit from the last copy
    copy = edited;
    if (score <= high && next() < 0.35) return copy;
  }
  const score = rougeL(base, copy);
  return score >= low && score <= high ? copy : undefined;
}

interface Planted {
  text: string;
  /** 0-based lines of the planted pairs (earlier, later) with their ROUGE-L. */
  pairs: { earlier: number; later: number; score: number }[];
  prompts: string[];
}

function plantedFile(records: number, pairCount: number, seed: number): Planted {
  const next = seededRandom(seed);
  const prompts: string[] = Array.from({ length: records }, () => Array.from({ length: 8 + Math.floor(next() * 25) }, () => word(next)).join(' '));
  const pairs: Planted['pairs'] = [];
  const used = new Set<number>();
  while (pairs.length < pairCount) {
    const earlier = Math.floor(next() * (records - 1));
    const later = earlier + 1 + Math.floor(next() * (records - earlier - 1));
    if (used.has(earlier) || used.has(later)) continue;
    const base = prompts[earlier]?.split(' ') ?? [];
    const copy = nearCopy(base, next, 0.7, 0.9);
    // Instructions with fewer than three distinct content words are not compared (documented).
    if (copy === undefined || contentCount(copy) < 3 || contentCount(base) < 3) continue;
    used.add(earlier).add(later);
    prompts[later] = copy.join(' ');
    pairs.push({ earlier, later, score: rougeL(base, copy) });
  }
  const text = prompts.map((prompt, index) => chat(`${prompt.charAt(0).toUpperCase()}${prompt.slice(1)}.`, `Answer ${index}.`)).join('\n') + '\n';
  return { text, pairs, prompts };
}

const { settings } = resolveSettings({ minExamples: 0 });

/** Near-duplicate reports as (later line -> earlier line), checked against the exact ROUGE-L of the prompts. */
function nearReports(diagnostics: readonly { rule: string; range: { start: { line: number } }; message: string }[], prompts: readonly string[]): Map<number, number> {
  const reports = new Map<number, number>();
  for (const diagnostic of diagnostics) {
    if (diagnostic.rule !== 'near-duplicate') continue;
    const line = diagnostic.range.start.line;
    const partner = Number(/repeats record (\d+)/.exec(diagnostic.message)?.[1]) - 1;
    const score = rougeL(words(prompts[line] ?? ''), words(prompts[partner] ?? ''));
    // No false report: the pair really is at or above the threshold, with the score it states.
    assert.ok(score >= settings.nearDuplicateThreshold, `line ${line + 1} vs record ${partner + 1}: ROUGE-L ${score}`);
    assert.match(diagnostic.message, new RegExp(`ROUGE-L ${score.toFixed(2).replace('.', '\\.')}[ ;]`));
    reports.set(line, partner);
  }
  return reports;
}

describe('the same instruction asked again', () => {
  it('names an earlier repeat for every later one, with one link each in a fresh lint, and the same after an edit', () => {
    const question = 'Write a short poem about the sea and its waves';
    const lines = Array.from({ length: 6 }, (_, index) => chat(index % 2 === 0 ? question : question.toUpperCase(), `Poem ${index}.`));
    const text = `${lines.join('\n')}\n`;
    const { settings } = resolveSettings({ minExamples: 0 });
    const repeats = (diagnostics: readonly { rule: string; range: { start: { line: number } }; message: string }[]): string[] =>
      diagnostics.filter((item) => item.rule === 'near-duplicate').map((item) => `${item.range.start.line}->${/repeats record (\d+)/.exec(item.message)?.[1] ?? '?'}`);
    assert.deepEqual(repeats(lintDocument(DatasetDocument.parse(text, 'jsonl'), 'file:///test/same.jsonl', settings).diagnostics), ['1->1', '2->2', '3->3', '4->4', '5->5']);
    // Typed into the editor after the first lint: still reported against an earlier repeat.
    const session = new DatasetSession(() => ({ settings }));
    const uri = 'file:///test/same-edited.jsonl';
    session.open(uri, text);
    session.lint(uri);
    session.change(uri, [{ range: { start: { line: 6, character: 0 }, end: { line: 6, character: 0 } }, text: `${chat(question, 'Poem 6.')}\n` }]);
    const after = repeats(session.lint(uri)?.diagnostics ?? []);
    assert.equal(after.length, 6, after.join(', '));
    assert.ok(after.some((item) => item.startsWith('6->')), after.join(', '));
  });
});

describe('a large edit in a templated file', () => {
  it('deleting half of the file and undoing it gives the diagnostics of a fresh lint (the edit is indexed afresh)', () => {
    const next = seededRandom(5);
    const vocabulary = 'alpha beta gamma delta river stone cloud paper green quick slow bright dark city field house music light water fire'.split(' ');
    const phrase = (length: number): string => Array.from({ length }, () => vocabulary[Math.floor(next() * vocabulary.length)]).join(' ');
    const lines = Array.from({ length: 5000 }, () => chat(`Translate the following sentence into French and explain the grammar: ${phrase(3 + Math.floor(next() * 4))}`, phrase(20)));
    const text = `${lines.join('\n')}\n`;
    const { settings } = resolveSettings({ maxProblems: 0 });
    const session = new DatasetSession(() => ({ settings }));
    const uri = 'file:///test/templated.jsonl';
    const shown = (diagnostics: readonly { rule: string; range: { start: { line: number } }; message: string }[]): string[] => diagnostics.map((item) => `${item.range.start.line} ${item.rule} ${item.message}`);
    const fresh = (content: string): string[] => shown(lintDocument(DatasetDocument.parse(content, 'jsonl'), uri, settings).diagnostics);
    session.open(uri, text);
    session.lint(uri);
    session.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: `${lines[7] ?? ''}\n` }]);
    session.lint(uri);
    session.change(uri, [{ range: { start: { line: 1, character: 0 }, end: { line: 3001, character: 0 } }, text: '' }]);
    const remaining = [lines[7] ?? '', ...lines.slice(3000)];
    assert.deepEqual(shown(session.lint(uri)?.diagnostics ?? []), fresh(`${remaining.join('\n')}\n`));
    session.change(uri, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: `${lines.slice(0, 3000).join('\n')}\n` }]);
    assert.deepEqual(shown(session.lint(uri)?.diagnostics ?? []), fresh(`${[lines[7] ?? '', ...lines].join('\n')}\n`));
  });
});

describe('what is compared', () => {
  it("an Alpaca record's instruction and input, not the history many records share; plain text is called text; not a question about an image", () => {
    const history = [['You are going to help me with my homework today, ok? Please be concise and clear in every single answer you give me.', 'Sure!']];
    const questions = ['What is 2+2?', 'Name a bird that lives in the northern forests.', 'Spell cat.', 'Name a colour of the rainbow.'];
    const alpaca = questions.map((instruction) => JSON.stringify({ instruction, input: '', output: 'Answer.', history }));
    const { settings } = resolveSettings({ minExamples: 0 });
    const lint = (lines: string[]) => lintDocument(DatasetDocument.parse(`${lines.join('\n')}\n`, 'jsonl'), 'file:///test/history.jsonl', settings).diagnostics.filter((item) => item.rule === 'near-duplicate');
    assert.deepEqual(lint(alpaca), []);
    // The same question after the shared history: reported at its instruction.
    const repeated = [...alpaca, JSON.stringify({ instruction: 'Name one bird that lives in the northern forests.', input: '', output: 'A robin.', history })];
    const found = lint(repeated);
    assert.equal(found.length, 1);
    const last = repeated[4] ?? '';
    assert.equal(last.slice(found[0]?.range.start.character, found[0]?.range.end.character), '"Name one bird that lives in the northern forests."');
    const texts = ['The quick brown fox jumps over the lazy dog near the river bank today.', 'The quick brown fox jumps over the lazy dog near the river bank.'].map((text) => JSON.stringify({ text }));
    assert.match(lint(texts)[0]?.message ?? '', /^This text nearly repeats record 1/);
    // A question asked of each image (LLaVA-style data) repeats by design.
    const vqa = ['a.jpg', 'b.jpg', 'c.jpg'].map((image, index) => JSON.stringify({ messages: [{ role: 'user', content: '<image>Describe this image in detail.' }, { role: 'assistant', content: `Picture ${index}.` }], images: [image] }));
    assert.deepEqual(lint(vqa), []);
  });
});

describe('near-duplicate recall', () => {
  it('finds planted pairs with ROUGE-L 0.7-0.9 among thousands of random records (all whose content words mostly agree), and nothing else', () => {
    const planted = plantedFile(5000, 100, 2026);
    assert.ok(planted.pairs.some((pair) => pair.score < 0.75) && planted.pairs.some((pair) => pair.score > 0.85), 'pairs across the range');
    const result = lintDocument(DatasetDocument.parse(planted.text, 'jsonl'), 'file:///test/planted.jsonl', settings);
    const reports = nearReports(result.diagnostics, planted.prompts);
    const missed = planted.pairs.filter((pair) => reports.get(pair.later) !== pair.earlier);
    // LSH finds a pair with probability rising steeply with the Jaccard similarity of its content words:
    // certain from 0.8; below, edits that fall on content words can hide a pair (about 5% of these).
    const mostlyAgreeing = missed.filter((pair) => contentJaccard(planted.prompts[pair.earlier] ?? '', planted.prompts[pair.later] ?? '') >= 0.8);
    assert.deepEqual(mostlyAgreeing, [], 'pairs whose content words mostly agree');
    assert.ok(missed.length <= 8, `${missed.length} of ${planted.pairs.length} planted pairs missed`);
    // Nothing but the planted pairs (random records are never near-duplicates of each other).
    assert.equal(reports.size, planted.pairs.length - missed.length);
  });

  it('stays linear on templated prompts (band groups of thousands) and reports only true near-duplicates', () => {
    const next = seededRandom(31);
    const prompts = Array.from({ length: 4000 }, () => `Translate the following sentence into formal French for the customer letter: ${word(next)} ${word(next)} ${word(next)}`);
    const text = prompts.map((prompt, index) => chat(prompt, `Answer ${index}.`)).join('\n') + '\n';
    const started = Date.now();
    const result = lintDocument(DatasetDocument.parse(text, 'jsonl'), 'file:///test/templated.jsonl', resolveSettings({ minExamples: 0, maxProblems: 0 }).settings);
    assert.ok(Date.now() - started < 5000, `linted in ${Date.now() - started} ms`);
    // Each later record is compared with a bounded number of earlier ones, yet most are reported.
    const reported = nearReports(result.diagnostics, prompts).size;
    assert.ok(reported > 3000, `${reported} reported`);
  });

  it('links each record of a file where every prompt nearly repeats every other to a few earlier ones, and reports each', () => {
    // Every prompt differs from every other only by its number: thousands of verified pairs per band group.
    const prompts = Array.from({ length: 3000 }, (_, index) => `Task ${index}: describe item ${index} in one sentence`);
    const text = prompts.map((prompt, index) => chat(prompt, `Item ${index} is a thing.`)).join('\n') + '\n';
    const document = DatasetDocument.parse(text, 'jsonl');
    const index = indexFor(document, buildFacts(document, 'file:///test/every-prompt-alike.jsonl', settings));
    let mostEarlier = 0;
    for (const [record, partners] of index.links) mostEarlier = Math.max(mostEarlier, partners.records.filter((partner) => partner.index < record.index).length);
    assert.ok(mostEarlier <= 3, `a record linked to ${mostEarlier} earlier ones`);
    const result = lintDocument(DatasetDocument.parse(text, 'jsonl'), 'file:///test/every-prompt-alike.jsonl', resolveSettings({ minExamples: 0, maxProblems: 0 }).settings);
    assert.equal(result.diagnostics.filter((item) => item.rule === 'near-duplicate').length, prompts.length - 1);
  });

  it('after edits that move, remove and restore planted records, reports what a fresh lint reports', () => {
    const planted = plantedFile(1500, 20, 7);
    const lines = planted.text.split('\n');
    const session = new DatasetSession(() => ({ settings }));
    const uri = 'file:///test/edited.jsonl';
    session.open(uri, planted.text);
    const next = seededRandom(99);
    const fresh = (text: string) => lintDocument(DatasetDocument.parse(text, 'jsonl'), 'file:///test/fresh.jsonl', settings).diagnostics.filter((item) => item.rule === 'near-duplicate').map((item) => `${item.range.start.line} ${item.message}`);
    const incremental = () => (session.lint(uri)?.diagnostics ?? []).filter((item) => item.rule === 'near-duplicate').map((item) => `${item.range.start.line} ${item.message}`);
    assert.deepEqual(incremental(), fresh(lines.join('\n')));
    for (let step = 0; step < 30; step++) {
      const pair = planted.pairs[Math.floor(next() * planted.pairs.length)];
      if (pair === undefined) continue;
      // Take a planted record out and put it back elsewhere: the pair must be found again from either side.
      const from = lines.findIndex((line) => line === chat(`${(planted.prompts[pair.later] ?? '').charAt(0).toUpperCase()}${(planted.prompts[pair.later] ?? '').slice(1)}.`, `Answer ${pair.later}.`));
      if (from < 0) continue;
      const moved = lines[from] ?? '';
      const to = Math.floor(next() * (lines.length - 1));
      session.change(uri, [{ range: { start: { line: from, character: 0 }, end: { line: from + 1, character: 0 } }, text: '' }]);
      lines.splice(from, 1);
      session.change(uri, [{ range: { start: { line: to, character: 0 }, end: { line: to, character: 0 } }, text: `${moved}\n` }]);
      lines.splice(to, 0, moved);
      if (step % 5 === 4) assert.deepEqual(incremental(), fresh(lines.join('\n')), `after step ${step}`);
    }
    assert.deepEqual(incremental(), fresh(lines.join('\n')));
    assert.ok(incremental().length >= planted.pairs.length - 3, 'the planted pairs are still found');
  });
});
