// When a booked call happens. Cadence reads `start_time` as wall-clock time in `timezone` (its
// documentation: the `Z` need not be the call's zone as long as `timezone` is given), so the
// trailing Z or offset is ignored and the date and time fields are placed in the zone. A time a
// DST jump skips is moved forward by the jump, as the wall clock would read it; a time a
// fall-back repeats is the earlier instant. Answers restate the start in Bubble's English form,
// `Friday, February 17, 2017 11:15 am`, in the call's zone.

const START_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:Z|[+-]\d{2}:\d{2})$/;

/** A zone name the runtime knows (its IANA list and the aliases it resolves); offsets are not zones. */
export function isKnownZone(zone: string): boolean {
  if (!/^[A-Za-z]/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const partsFormat = new Map<string, Intl.DateTimeFormat>();
function wallFormat(zone: string): Intl.DateTimeFormat {
  let format = partsFormat.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    partsFormat.set(zone, format);
  }
  return format;
}

/** The wall-clock reading in `zone` at `ms`, as if it were UTC (so differences are offsets). */
function wallMs(ms: number, zone: string): number {
  const parts = Object.fromEntries(wallFormat(zone).formatToParts(ms).map((p) => [p.type, p.value]));
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour) % 24, Number(parts.minute), Number(parts.second));
}

const offsetAt = (ms: number, zone: string) => wallMs(ms, zone) - ms;

/** The instant `start_time`'s date and time name in `zone`; undefined when they are not a date. */
export function startInstant(startTime: string, zone: string): number | undefined {
  const m = START_TIME.exec(startTime);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wall);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return undefined;
  // Offsets a day either side bracket any transition near this time.
  const before = offsetAt(wall - 86_400_000, zone);
  const after = offsetAt(wall + 86_400_000, zone);
  const candidates = [wall - before, wall - after].filter((ms) => wallMs(ms, zone) === wall).sort((a, b) => a - b);
  // No candidate: the time is in a gap; the offset before the jump carries it past the gap.
  return candidates[0] ?? wall - before;
}

const english = new Map<string, Intl.DateTimeFormat>();

/** `Friday, February 17, 2017 11:15 am` in `zone`. */
export function formatStart(ms: number, zone: string): string {
  let format = english.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', hour12: true });
    english.set(zone, format);
  }
  const p = Object.fromEntries(format.formatToParts(ms).map((part) => [part.type, part.value]));
  return `${p.weekday}, ${p.month} ${p.day}, ${p.year} ${p.hour}:${p.minute} ${String(p.dayPeriod).toLowerCase()}`;
}
