import { describe, expect, it } from 'vitest';
import { alignText } from './align.ts';
import { alignmentInput } from './testing/sample-transcripts.ts';
import type { AlignedPiece, Alignment } from './transcript.ts';

type Word = Extract<AlignedPiece, { kind: 'word' }>;
const wordsOf = (a: Alignment): Word[] => a.lines.flatMap((l) => l.pieces.filter((p): p is Word => p.kind === 'word'));
const textOf = (a: Alignment) => a.lines.map((l) => l.pieces.map((p) => p.text).join('')).join('\n');
const verbatimOf = (a: Alignment) => a.lines.flatMap((l) => l.pieces.filter((p) => p.kind === 'verbatim').map((p) => p.text));

describe('aligning a text to audio', () => {
  it('times the words and keeps markup, comments and spacing as verbatim pieces', () => {
    const a = alignText(alignmentInput(), 6.5);
    expect(wordsOf(a).map((w) => w.text)).toEqual(['Hello', 'and', 'welcome', 'to', 'the', 'quarterly', 'update.', 'Our', 'revenue', 'grew.']);
    expect(verbatimOf(a)).toContain(' <b>');
    expect(verbatimOf(a)).toContain('</b> ');
    expect(a.lines[1]!.pieces).toEqual([{ kind: 'verbatim', text: '<!-- speaker change -->' }]);
  });

  it('gives back the input exactly when the pieces are joined, line by line', () => {
    for (const text of [alignmentInput(), 'one\r\ntwo\r\n', '  indented\ttabs  \n\n\nend', 'a<br/>b <i >c</i>', 'a < b > c', '']) {
      expect(textOf(alignText(text, 4))).toBe(text);
    }
  });

  it('keeps a comment verbatim across lines, to its end or to the end of the text', () => {
    const a = alignText('before <!-- a\nlong note --> after\n<!-- never closed\nstill a comment', 5);
    expect(wordsOf(a).map((w) => w.text)).toEqual(['before', 'after']);
    expect(a.lines[1]!.pieces).toEqual([{ kind: 'verbatim', text: 'long note --> ' }, expect.objectContaining({ kind: 'word', text: 'after' })]);
    expect(a.lines[3]!.pieces).toEqual([{ kind: 'verbatim', text: 'still a comment' }]);
  });

  it('treats a < that opens no tag as part of the text', () => {
    expect(wordsOf(alignText('x < y', 2)).map((w) => w.text)).toEqual(['x', '<', 'y']);
    expect(wordsOf(alignText('a<b', 2)).map((w) => w.text)).toEqual(['a<b']);
  });

  it('spreads words over the audio in proportion to their length, with margins and small gaps (hand-checked)', () => {
    // 2 s: margins of 5% (0.1 s), one 0.05 s gap, 1.75 s shared by two 5-letter words.
    expect(wordsOf(alignText('hello world', 2))).toEqual([
      { kind: 'word', text: 'hello', start: 0.1, end: 0.975 },
      { kind: 'word', text: 'world', start: 1.025, end: 1.9 },
    ]);
    const [short, long] = wordsOf(alignText('a abcdefgh', 10));
    expect(long!.end - long!.start).toBeCloseTo(8 * (short!.end - short!.start), 2);
  });

  it('keeps times in order, apart and inside the audio', () => {
    for (const duration of [0.5, 6.5, 3600]) {
      const words = wordsOf(alignText(alignmentInput(), duration));
      words.forEach((w, i) => {
        expect(w.start).toBeGreaterThanOrEqual(0);
        expect(w.start).toBeLessThan(w.end);
        expect(w.end).toBeLessThanOrEqual(duration);
        if (i > 0) expect(w.start).toBeGreaterThan(words[i - 1]!.end);
      });
    }
  });

  it('is the same every time', () => {
    expect(JSON.stringify(alignText(alignmentInput(), 6.5))).toBe(JSON.stringify(alignText(alignmentInput(), 6.5)));
  });

  it('has no words for an empty text, or one of only markup', () => {
    expect(alignText('', 3)).toEqual({ lines: [{ pieces: [] }] });
    expect(wordsOf(alignText('<p>\n<!-- nothing -->\n</p>\n', 3))).toEqual([]);
  });

  it('puts every word at zero on audio with no length', () => {
    expect(wordsOf(alignText('a b', 0)).map((w) => [w.start, w.end])).toEqual([[0, 0], [0, 0]]);
  });
});
