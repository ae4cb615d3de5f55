/**
 * How close a generated answer is to the record's reference: a word-level diff (longest common
 * subsequence) for display, and ROUGE-L F1 over the same words as the score. Pure, for both sides.
 */

export type DiffKind = 'same' | 'added' | 'removed';

/** A run of text in the diff: `added` is only in the generated answer, `removed` only in the reference. */
export interface DiffSegment {
  kind: DiffKind;
  text: string;
}

export interface Comparison {
  /** ROUGE-L F1 in [0, 1] over lower-cased words; 1 when both are empty. */
  score: number;
  segments: DiffSegment[];
  /** True when the texts were too long to diff word by word (the score is then over a prefix). */
  truncated: boolean;
}

/** Words and the whitespace/punctuation after them, so a diff can be shown with the original spacing. */
interface Piece {
  key: string;
  text: string;
}

const wordPattern = /[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu;

function pieces(text: string): Piece[] {
  const result: Piece[] = [];
  let match: RegExpExecArray | null;
  wordPattern.lastIndex = 0;
  let previousEnd = 0;
  while ((match = wordPattern.exec(text)) !== null) {
    // Whitespace before a word belongs to the previous piece, so the joined text keeps its spacing.
    if (result.length > 0 && match.index > previousEnd) {
      const last = result[result.length - 1];
      if (last !== undefined) last.text += text.slice(previousEnd, match.index);
    } else if (result.length === 0 && match.index > 0) {
      result.push({ key: '', text: text.slice(0, match.index) });
    }
    result.push({ key: match[0].toLowerCase(), text: match[0] });
    previousEnd = match.index + match[0].length;
  }
  const tail = text.slice(previousEnd);
  if (tail.length > 0) {
    const last = result[result.length - 1];
    if (last !== undefined) last.text += tail;
    else result.push({ key: '', text: tail });
  }
  return result;
}

/** Above this many pieces per side the LCS table would be too large for a keystroke: compare prefixes. */
export const maxDiffPieces = 1500;

export function compareToReference(reference: string, generated: string): Comparison {
  const allReference = pieces(reference);
  const allGenerated = pieces(generated);
  const truncated = allReference.length > maxDiffPieces || allGenerated.length > maxDiffPieces;
  const a = allReference.slice(0, maxDiffPieces);
  const b = allGenerated.slice(0, maxDiffPieces);
  const rows = a.length + 1;
  const columns = b.length + 1;
  // lengths[i][j] = LCS of a[i..] and b[j..], filled backwards so the walk below goes forwards.
  const lengths = new Uint16Array(rows * columns);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      const here = i * columns + j;
      const keyA = a[i]?.key ?? '';
      lengths[here] = keyA !== '' && keyA === b[j]?.key
        ? (lengths[here + columns + 1] ?? 0) + 1
        : Math.max(lengths[here + columns] ?? 0, lengths[here + 1] ?? 0);
    }
  }
  const segments: DiffSegment[] = [];
  const push = (kind: DiffKind, text: string): void => {
    const last = segments[segments.length - 1];
    if (last !== undefined && last.kind === kind) last.text += text;
    else segments.push({ kind, text });
  };
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const pieceA = a[i] as Piece;
    const pieceB = b[j] as Piece;
    if (pieceA.key !== '' && pieceA.key === pieceB.key) {
      push('same', pieceB.text);
      i++;
      j++;
    } else if ((lengths[(i + 1) * columns + j] ?? 0) >= (lengths[i * columns + j + 1] ?? 0)) {
      push('removed', pieceA.text);
      i++;
    } else {
      push('added', pieceB.text);
      j++;
    }
  }
  for (; i < a.length; i++) push('removed', (a[i] as Piece).text);
  for (; j < b.length; j++) push('added', (b[j] as Piece).text);
  const wordsA = a.filter((piece) => piece.key !== '').length;
  const wordsB = b.filter((piece) => piece.key !== '').length;
  const common = lengths[0] ?? 0;
  let score: number;
  if (wordsA === 0 && wordsB === 0) score = 1;
  else if (common === 0) score = 0;
  else {
    const precision = common / wordsB;
    const recall = common / wordsA;
    score = (2 * precision * recall) / (precision + recall);
  }
  return { score, segments, truncated };
}
