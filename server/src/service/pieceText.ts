/**
 * A text kept as the pieces its edits left, so that an edit of a large text copies nothing. A string
 * built by an edit (`text.slice(0, a) + typed + text.slice(b)`) is a rope that V8 copies whole the
 * first time it is read, and these machines copy 30 MB in about a tenth of a second; here a read of a
 * part joins only the pieces there, and the whole is joined once, when asked for.
 */
export class PieceText {
  private constructor(
    private pieces: string[],
    readonly length: number,
  ) {}

  static of(text: string): PieceText {
    return new PieceText(text.length > 0 ? [text] : [], text.length);
  }

  /** The text with `[start, end)` replaced by `insert`; typed text joins the small pieces around it, and past `maxPieces` the whole is joined. */
  edit(start: number, end: number, insert: string): PieceText {
    const before: string[] = [];
    const after: string[] = [];
    let at = 0;
    for (const piece of this.pieces) {
      const pieceEnd = at + piece.length;
      if (at < start) before.push(pieceEnd <= start ? piece : piece.slice(0, start - at));
      if (pieceEnd > end) after.push(at >= end ? piece : piece.slice(end - at));
      at = pieceEnd;
    }
    let middle = insert;
    while (before.length > 0 && (before[before.length - 1] as string).length < smallPiece) middle = (before.pop() as string) + middle;
    while (after.length > 0 && (after[0] as string).length < smallPiece) middle += after.shift() as string;
    const pieces = middle.length > 0 ? [...before, middle, ...after] : [...before, ...after];
    const length = this.length - (end - start) + insert.length;
    return new PieceText(pieces.length > maxPieces ? [pieces.join('')] : pieces, length);
  }

  /** The characters from `start` to `end` (clamped to the text). */
  slice(start: number, end = this.length): string {
    const parts: string[] = [];
    let at = 0;
    for (const piece of this.pieces) {
      const pieceEnd = at + piece.length;
      if (pieceEnd > start && at < end) parts.push(piece.slice(Math.max(0, start - at), Math.min(piece.length, end - at)));
      at = pieceEnd;
      if (at >= end) break;
    }
    return parts.length === 1 ? (parts[0] as string) : parts.join('');
  }

  /** The UTF-16 code unit at `index`, NaN outside the text (as String.prototype.charCodeAt). */
  charCodeAt(index: number): number {
    let at = 0;
    for (const piece of this.pieces) {
      if (index < at + piece.length) return index < at ? Number.NaN : piece.charCodeAt(index - at);
      at += piece.length;
    }
    return Number.NaN;
  }

  /** The whole text, joined once and kept as the one piece. */
  toString(): string {
    if (this.pieces.length > 1) this.pieces = [this.pieces.join('')];
    return this.pieces[0] ?? '';
  }
}

/** Pieces shorter than this (characters) are joined with the text typed next to them. */
const smallPiece = 4096;
/** Past this many pieces an edit joins the text again (a copy every few dozen edits far apart). */
const maxPieces = 32;
