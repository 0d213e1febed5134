// Usage from streamed time: for each service, the milliseconds of its intervals inside a
// window, clipped to the clock's now (nothing has been used in the future). The usage
// endpoints report nanoseconds for services above zero; a room's usage_in_seconds is the
// streamed (recognised) time, whole seconds, in all and in the last 24 hours.
import type { Room, Service } from './model.ts';

const DAY_MS = 24 * 3600 * 1000;

/** Milliseconds each service was used by these rooms in [fromMs, toMs), up to nowMs. */
export function usedMs(rooms: readonly Room[], fromMs: number, toMs: number, nowMs: number): Map<Service, number> {
  const used = new Map<Service, number>();
  const end = Math.min(toMs, nowMs);
  for (const room of rooms) {
    for (const interval of room.streamed) {
      const overlap = Math.min(end, interval.endMs ?? nowMs) - Math.max(fromMs, interval.startMs);
      if (overlap <= 0) continue;
      for (const service of interval.services) used.set(service, (used.get(service) ?? 0) + overlap);
    }
  }
  return used;
}

/** `{speech_recognition: ns, voice_translate: ns}`, each only when greater than zero. */
export function usageReport(rooms: readonly Room[], fromMs: number, toMs: number, nowMs: number): Record<string, number> {
  const report: Record<string, number> = {};
  for (const [service, ms] of usedMs(rooms, fromMs, toMs, nowMs)) if (ms > 0) report[service] = ms * 1_000_000;
  return report;
}

/** Whole seconds streamed in all, and in the last 24 hours. */
export function roomSeconds(room: Room, nowMs: number) {
  const seconds = (fromMs: number) => Math.floor((usedMs([room], fromMs, nowMs, nowMs).get('speech_recognition') ?? 0) / 1000);
  return { total: seconds(0), twenty_four_hour: seconds(nowMs - DAY_MS) };
}
