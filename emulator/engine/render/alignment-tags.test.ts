import { beforeAll, describe, expect, it } from 'vitest';
import { loadSpec, type JsonObject } from '../../../openapi/specs.ts';
import { alignText } from '../align.ts';
import { alignmentInput } from '../testing/sample-transcripts.ts';
import type { AlignedPiece, Alignment } from '../transcript.ts';
import { renderOnePerLine, renderWordStartAndEnd } from './alignment-tags.ts';

const helloWorld: Alignment = {
  lines: [{
    pieces: [
      { kind: 'word', text: 'hello', start: 0.41, end: 0.76 },
      { kind: 'verbatim', text: ' ' },
      { kind: 'word', text: 'world', start: 0.89, end: 1.18 },
    ],
  }],
};

/** Reads a word_start_and_end text back into an alignment: words between time tags, the rest verbatim. */
function parseWordStartAndEnd(text: string): Alignment {
  return {
    lines: text.split('\n').map((line) => {
      const pieces: AlignedPiece[] = [];
      let at = 0;
      for (const m of line.matchAll(/<time=([\d.]+)>(.*?)<time=([\d.]+)>/g)) {
        if (m.index > at) pieces.push({ kind: 'verbatim', text: line.slice(at, m.index) });
        pieces.push({ kind: 'word', text: m[2]!, start: Number(m[1]), end: Number(m[3]) });
        at = m.index + m[0].length;
      }
      if (at < line.length) pieces.push({ kind: 'verbatim', text: line.slice(at) });
      return { pieces };
    }),
  };
}

let specExamples: { wordStartAndEnd: string; onePerLine: string };

beforeAll(async () => {
  const spec = await loadSpec('speechmatics');
  const paths = spec.dereferenced.paths as JsonObject;
  const examples = ((((paths['/v2/jobs/{jobid}/alignment'] as JsonObject).get as JsonObject).responses as JsonObject)['200'] as JsonObject);
  const plain = ((examples.content as JsonObject)['text/plain'] as JsonObject).examples as JsonObject;
  specExamples = {
    wordStartAndEnd: (plain['word-start-and-end'] as JsonObject).value as string,
    onePerLine: (plain['one-per-line'] as JsonObject).value as string,
  };
});

describe('tags=word_start_and_end', () => {
  it('wraps each word in its start and end time, two decimals (hand-checked)', () => {
    expect(renderWordStartAndEnd(helloWorld)).toBe('<time=0.41>hello<time=0.76> <time=0.89>world<time=1.18>');
    expect(renderWordStartAndEnd({ lines: [{ pieces: [{ kind: 'word', text: 'x', start: 2, end: 2.345 }] }] })).toBe('<time=2.00>x<time=2.35>');
  });

  it("writes the spec's example back exactly", () => {
    expect(renderWordStartAndEnd(parseWordStartAndEnd(specExamples.wordStartAndEnd))).toBe(specExamples.wordStartAndEnd);
  });

  it('keeps the input text, markup and comments verbatim around the tags', () => {
    const out = renderWordStartAndEnd(alignText(alignmentInput(), 6.5));
    expect(out.replace(/<time=\d+\.\d\d>/g, '')).toBe(alignmentInput());
    expect(out.split('\n')[1]).toBe('<!-- speaker change -->');
    expect(out).toContain('<b><time=');
  });

  it('has times in order and inside the audio', () => {
    const times = [...renderWordStartAndEnd(alignText(alignmentInput(), 6.5)).matchAll(/<time=([\d.]+)>/g)].map((m) => Number(m[1]));
    expect(times.length).toBe(20);
    times.forEach((t, i) => {
      expect(t).toBeLessThanOrEqual(6.5);
      if (i > 0) expect(t).toBeGreaterThanOrEqual(times[i - 1]!);
    });
  });
});

describe('tags=one_per_line', () => {
  it('prefixes a line with its first word’s start in tenths, then one space (hand-checked)', () => {
    expect(renderOnePerLine(helloWorld)).toBe('[00:00:00.4] hello world');
    const at = (start: number) => renderOnePerLine({ lines: [{ pieces: [{ kind: 'word', text: 'x', start, end: start + 1 }] }] });
    expect(at(59.96)).toBe('[00:01:00.0] x');
    expect(at(3725.46)).toBe('[01:02:05.5] x');
  });

  it("gives the spec's example from the same alignment as its word_start_and_end example", () => {
    expect(renderOnePerLine(parseWordStartAndEnd(specExamples.wordStartAndEnd))).toBe(specExamples.onePerLine);
  });

  it('keeps lines without words as they were, without a time', () => {
    const alignment = alignText(alignmentInput(), 6.5);
    const out = renderOnePerLine(alignment);
    const lines = out.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\[00:00:00\.\d\] Hello and welcome to the <b>quarterly<\/b> update\.$/);
    expect(lines[1]).toBe('<!-- speaker change -->');
    expect(lines[2]).toMatch(/^\[00:00:0\d\.\d\] Our revenue grew\.$/);
    expect(lines[3]).toBe('');
    expect(out.replace(/^\[\d\d:\d\d:\d\d\.\d\] /gm, '')).toBe(alignmentInput());
  });

  it('has line times in order and inside the audio', () => {
    const times = [...renderOnePerLine(alignText(alignmentInput(), 6.5)).matchAll(/^\[(\d\d):(\d\d):(\d\d\.\d)\]/gm)]
      .map((m) => Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]));
    expect(times).toHaveLength(2);
    expect(times[0]!).toBeLessThan(times[1]!);
    expect(times[1]!).toBeLessThanOrEqual(6.5);
  });
});
