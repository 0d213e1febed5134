import { parseSync } from 'subtitle';
import { describe, expect, it } from 'vitest';
import { monologue, silence, twoSpeakers } from '../testing/sample-transcripts.ts';
import { buildCues, toSrt, toVtt } from './subtitles.ts';

describe('subtitle cues', () => {
  it('never split a sentence across speakers and never cross a full stop', () => {
    const cues = buildCues(twoSpeakers());
    expect(cues.map((c) => c.lines.join(' '))).toEqual(['Is this the support line?', 'Yes, how can I help?', 'My order is late.']);
  });

  it('wrap to max_line_length and start a new cue past max_lines', () => {
    const cues = buildCues(monologue(), { maxLineLength: 12, maxLines: 1 });
    for (const cue of cues) {
      expect(cue.lines).toHaveLength(1);
      for (const line of cue.lines) expect(line.length <= 12 || !line.includes(' ')).toBe(true);
    }
    expect(cues.map((c) => c.lines[0]).join(' ')).toBe('Hello and welcome to the quarterly update. Our revenue grew, and costs fell. Questions?');
  });

  it('are timed in order and inside the audio', () => {
    const t = monologue();
    const cues = buildCues(t, { minDurationSeconds: 1 });
    cues.forEach((cue, i) => {
      expect(cue.start).toBeLessThan(cue.end);
      expect(cue.end).toBeLessThanOrEqual(t.durationSeconds);
      if (i > 0) expect(cue.start).toBeGreaterThanOrEqual(cues[i - 1]!.end);
    });
  });

  it('write SubRip and WebVTT that a subtitle parser reads back', () => {
    const cues = buildCues(monologue());
    const srt = parseSync(toSrt(cues)).filter((n) => n.type === 'cue');
    const vtt = parseSync(toVtt(cues)).filter((n) => n.type === 'cue');
    expect(srt).toHaveLength(cues.length);
    expect(vtt).toHaveLength(cues.length);
    expect(srt[0]).toMatchObject({ data: { start: 420, end: 2710, text: 'Hello and welcome to the quarterly\nupdate.' } });
    expect(toSrt(cues).startsWith('1\n00:00:00,420 --> 00:00:02,710\n')).toBe(true);
    expect(toVtt(cues).startsWith('WEBVTT\n\n00:00:00.420 --> 00:00:02.710\n')).toBe(true);
  });

  it('are empty for silence', () => {
    expect(toSrt(buildCues(silence()))).toBe('');
    expect(toVtt(buildCues(silence()))).toBe('WEBVTT\n\n');
  });
});
