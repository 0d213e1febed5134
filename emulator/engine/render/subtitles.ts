// Subtitles from a transcript: cues of whole words, wrapped into lines, written as SubRip or
// WebVTT. Speechmatics' srt and Gladia's srt/vtt subtitles both come from here.
import { joinTokens, sentencesOf, wordGroups, type Token, type Transcript } from '../transcript.ts';

export interface CueOptions {
  /** Characters per line (Speechmatics `max_line_length`, default 37). */
  maxLineLength: number;
  /** Lines per cue (Speechmatics `max_lines`, default 2). */
  maxLines: number;
  /** Longest a cue may last, in seconds. */
  maxDurationSeconds: number;
  /** Shortest a cue may last, in seconds: short cues are held longer, up to the next cue. */
  minDurationSeconds: number;
}

export const DEFAULT_CUE_OPTIONS: CueOptions = { maxLineLength: 37, maxLines: 2, maxDurationSeconds: 6, minDurationSeconds: 0 };

export interface Cue {
  start: number;
  end: number;
  lines: string[];
}

/** Greedy wrap; a word longer than a line gets a line of its own. */
function wrap(words: string[], maxLineLength: number): string[] {
  const lines: string[] = [];
  for (const word of words) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= maxLineLength) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** Cues never cross a sentence, so a speaker change or a full stop starts a new one. */
export function buildCues(transcript: Transcript, options: Partial<CueOptions> = {}): Cue[] {
  const opts = { ...DEFAULT_CUE_OPTIONS, ...options };
  const cues: Cue[] = [];
  for (const sentence of sentencesOf(transcript.tokens)) {
    let current: Token[][] = [];
    const flush = () => {
      if (current.length === 0) return;
      const first = current[0]![0]!;
      const lastGroup = current[current.length - 1]!;
      cues.push({ start: first.start, end: lastGroup[lastGroup.length - 1]!.end, lines: wrap(current.map((g) => joinTokens(g)), opts.maxLineLength) });
      current = [];
    };
    for (const group of wordGroups(sentence.tokens)) {
      const candidate = [...current, group];
      const lines = wrap(candidate.map((g) => joinTokens(g)), opts.maxLineLength);
      const tooLong = group[group.length - 1]!.end - (candidate[0]![0]!.start) > opts.maxDurationSeconds;
      if (current.length > 0 && (lines.length > opts.maxLines || tooLong)) flush();
      current.push(group);
    }
    flush();
  }
  // Hold a short cue on screen up to the minimum, without overlapping the next one.
  for (let i = 0; i < cues.length; i++) {
    const cue = cues[i]!;
    const limit = cues[i + 1]?.start ?? Math.max(cue.end, transcript.durationSeconds);
    if (cue.end - cue.start < opts.minDurationSeconds) cue.end = Math.min(cue.start + opts.minDurationSeconds, limit);
  }
  return cues;
}

function timestamp(seconds: number, separator: ',' | '.'): string {
  const totalMs = Math.round(seconds * 1000);
  const ms = totalMs % 1000;
  const totalSeconds = Math.floor(totalMs / 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(Math.floor(totalSeconds / 3600))}:${pad(Math.floor(totalSeconds / 60) % 60)}:${pad(totalSeconds % 60)}${separator}${pad(ms, 3)}`;
}

export function toSrt(cues: readonly Cue[]): string {
  return cues.map((cue, i) => `${i + 1}\n${timestamp(cue.start, ',')} --> ${timestamp(cue.end, ',')}\n${cue.lines.join('\n')}\n`).join('\n');
}

export function toVtt(cues: readonly Cue[]): string {
  const body = cues.map((cue) => `${timestamp(cue.start, '.')} --> ${timestamp(cue.end, '.')}\n${cue.lines.join('\n')}\n`).join('\n');
  return `WEBVTT\n\n${body}`;
}
