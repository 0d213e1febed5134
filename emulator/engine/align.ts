// Aligns a given text to audio: the fake counterpart of forced alignment. Nothing listens to
// the audio; words are spread over its duration in proportion to their length, so the same
// text and duration always give the same times. Markup and spacing are kept as they were.
import { round, type AlignedPiece, type Alignment } from './transcript.ts';

export interface AlignOptions {
  /** Silence before the first word and after the last, at most this long (5% of the audio when shorter). */
  maxMarginSeconds?: number;
  /** Pause between two words, at most this long (together at most 20% of the speech span when shorter). */
  maxGapSeconds?: number;
}

const DEFAULTS: Required<AlignOptions> = { maxMarginSeconds: 0.3, maxGapSeconds: 0.05 };

const COMMENT_OPEN = '<!--';
const COMMENT_CLOSE = '-->';
// An SGML-like tag: `<`, then a non-space, up to the next `>` on the same line.
const TAG = /<[^\s<>][^<>]*>/y;
const SPACE = /\s+/y;
// A word runs up to whitespace, a tag or a comment. A `<` that opens neither ("a < b") is part
// of a word, because some piece has to carry it.
const WORD = /(?:(?!<!--)(?!<[^\s<>][^<>]*>)\S)+/y;

type RawPiece = { kind: 'word' | 'verbatim'; text: string };

function matchAt(pattern: RegExp, line: string, at: number): string | undefined {
  pattern.lastIndex = at;
  return pattern.exec(line)?.[0];
}

/** Splits one line into pieces. `inComment` carries an unclosed `<!--` over from the lines before. */
function splitLine(line: string, inComment: boolean): { pieces: RawPiece[]; inComment: boolean } {
  const pieces: RawPiece[] = [];
  // Neighbouring verbatim text is one piece: `<!-- x -->` is one piece, not three.
  const add = (kind: RawPiece['kind'], text: string) => {
    const last = pieces[pieces.length - 1];
    if (kind === 'verbatim' && last?.kind === 'verbatim') last.text += text;
    else pieces.push({ kind, text });
  };
  let at = 0;
  while (at < line.length) {
    let kind: RawPiece['kind'] = 'verbatim';
    let text: string;
    if (inComment) {
      const close = line.indexOf(COMMENT_CLOSE, at);
      inComment = close < 0;
      text = close < 0 ? line.slice(at) : line.slice(at, close + COMMENT_CLOSE.length);
    } else if (line.startsWith(COMMENT_OPEN, at)) {
      inComment = true;
      text = COMMENT_OPEN;
    } else {
      const markup = matchAt(TAG, line, at) ?? matchAt(SPACE, line, at);
      const word = markup === undefined ? matchAt(WORD, line, at) : undefined;
      if (word !== undefined) kind = 'word';
      // Every character is one of the three, so something matched; the fallback only satisfies the type.
      text = markup ?? word ?? line.slice(at);
    }
    add(kind, text);
    at += text.length;
  }
  return { pieces, inComment };
}

/**
 * Splits `text` into lines (on `\n`; a `\r` before it stays as verbatim whitespace) and times
 * every word. Joining each line's pieces, and the lines with `\n`, gives back `text` exactly.
 *
 * Comments (`<!-- ... -->`) may span lines: everything from `<!--` to the next `-->` is
 * verbatim, line breaks included, and an unclosed comment runs to the end of the text. Tags
 * (`<b>`, `</b>`, `<br/>`) must close on their own line.
 *
 * Times: a margin before the first word and after the last, a small equal gap between words,
 * and the rest shared out by each word's length in characters. Monotonic, inside
 * [0, durationSeconds], rounded to milliseconds.
 */
export function alignText(text: string, durationSeconds: number, opts: AlignOptions = {}): Alignment {
  const { maxMarginSeconds, maxGapSeconds } = { ...DEFAULTS, ...opts };
  let inComment = false;
  const lines = text.split('\n').map((line) => {
    const split = splitLine(line, inComment);
    inComment = split.inComment;
    return split.pieces;
  });

  const lengths = lines.flat().filter((p) => p.kind === 'word').map((w) => Array.from(w.text).length);
  const count = lengths.length;
  const totalLength = lengths.reduce((sum, n) => sum + n, 0);
  const duration = Math.max(0, durationSeconds);
  const margin = Math.min(maxMarginSeconds, duration * 0.05);
  const span = duration - 2 * margin;
  const gap = count > 1 ? Math.min(maxGapSeconds, (span * 0.2) / (count - 1)) : 0;
  const speech = span - gap * Math.max(0, count - 1);

  // From prefix sums rather than a running cursor, so rounding error never accumulates.
  let index = 0;
  let before = 0;
  const timed = (text: string): AlignedPiece => {
    const start = round(margin + gap * index + (speech * before) / totalLength);
    before += lengths[index]!;
    const end = round(margin + gap * index + (speech * before) / totalLength);
    index++;
    return { kind: 'word', text, start, end };
  };
  return {
    lines: lines.map((pieces) => ({
      pieces: pieces.map((p): AlignedPiece => (p.kind === 'word' ? timed(p.text) : { kind: 'verbatim', text: p.text })),
    })),
  };
}
