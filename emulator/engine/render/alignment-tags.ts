// The two ways Speechmatics writes an aligned text (`GET /v2/jobs/{jobid}/alignment?tags=`).
// Both keep the input's lines, spacing, markup and comments exactly; they only add times.
import type { Alignment, AlignedPiece } from '../transcript.ts';

/** Seconds with two decimals, as the vendor's `<time=0.41>` tags show them. */
function tagTime(seconds: number): string {
  return (Math.round(seconds * 100) / 100).toFixed(2);
}

/** `[HH:MM:SS.s]`: tenths of a second, rounded (the vendor's example shows 0.36 s as `00:00:00.4`). */
function lineTime(seconds: number): string {
  const tenths = Math.round(seconds * 10);
  const totalSeconds = Math.floor(tenths / 10);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `[${pad(Math.floor(totalSeconds / 3600))}:${pad(Math.floor(totalSeconds / 60) % 60)}:${pad(totalSeconds % 60)}.${tenths % 10}]`;
}

const plain = (pieces: readonly AlignedPiece[]) => pieces.map((p) => p.text).join('');

/** `tags=word_start_and_end`: every word between its start and end tags, `<time=0.41>hello<time=0.76>`. */
export function renderWordStartAndEnd(alignment: Alignment): string {
  return alignment.lines
    .map((line) => line.pieces.map((p) => (p.kind === 'word' ? `<time=${tagTime(p.start)}>${p.text}<time=${tagTime(p.end)}>` : p.text)).join(''))
    .join('\n');
}

/**
 * `tags=one_per_line`: each line prefixed with the start of its first word and one space,
 * `[00:00:00.4] hello world` (the spec's reading of the vendor's docs; an older page shows
 * more spaces). A line without words (blank, or only markup and comments) has no time to
 * give, so it is written as it was, without a tag.
 */
export function renderOnePerLine(alignment: Alignment): string {
  return alignment.lines
    .map((line) => {
      const first = line.pieces.find((p) => p.kind === 'word');
      return first ? `${lineTime(first.start)} ${plain(line.pieces)}` : plain(line.pieces);
    })
    .join('\n');
}
