// GET /v2/usage: successfully processed jobs counted by UTC day, excluding today; deleting
// a job does not reduce it. Grouped as the vendor groups them: by type, then by type,
// language and operating point.
import type { Job } from './model.ts';
import { isoMs } from './outputs.ts';

const DAY = 24 * 3600 * 1000;
const dayStart = (ms: number) => Math.floor(ms / DAY) * DAY;

export function usageReport(jobs: Job[], query: { since?: string; until?: string }, nowMs: number): Record<string, unknown> {
  const parseDay = (name: 'since' | 'until') => (query[name] === undefined ? undefined : Date.parse(`${query[name]}T00:00:00Z`));
  const billable = jobs.filter((j) => j.billable && j.finishedAt !== undefined);
  const today = dayStart(nowMs);
  const since = parseDay('since') ?? (billable.length ? dayStart(Math.min(...billable.map((j) => j.createdAt))) : today - DAY);
  const untilDay = Math.min(parseDay('until') ?? today - DAY, today - DAY);
  const until = untilDay + DAY - 1000;
  const counted = billable.filter((j) => j.finishedAt! >= since && j.finishedAt! <= until);
  const key = (j: Job, withDetails: boolean) => {
    const language = j.config.transcription_config?.language ?? j.config.alignment_config?.language;
    const operatingPoint = j.config.transcription_config?.operating_point ?? 'standard';
    return JSON.stringify(withDetails ? [j.config.type, language, j.config.type === 'transcription' ? operatingPoint : undefined] : [j.config.type]);
  };
  const group = (withDetails: boolean) => {
    const groups = new Map<string, Job[]>();
    for (const j of counted) (groups.get(key(j, withDetails)) ?? groups.set(key(j, withDetails), []).get(key(j, withDetails))!).push(j);
    return [...groups].map(([k, members]) => {
      const [type, language, operatingPoint] = JSON.parse(k) as [string, string?, string?];
      return {
        mode: 'batch',
        type,
        ...(withDetails && language && { language }),
        ...(withDetails && operatingPoint && { operating_point: operatingPoint }),
        count: members.length,
        duration_hrs: Math.round((members.reduce((s, j) => s + (j.audio?.durationSeconds ?? 0), 0) / 3600) * 1e6) / 1e6,
      };
    });
  };
  return { since: isoMs(since).replace('.000Z', 'Z'), until: isoMs(until).replace('.000Z', 'Z'), summary: group(false), details: group(true) };
}
