// How Cadence shows what it keeps: the booking answer (`job_*` fields), the same booking as a
// Bubble Data API record, a user record, and Bubble's paged list envelope.
import { formatStart } from './booking-time.ts';
import { languageById } from './languages.ts';
import { JOB_DURATION_TEXT, JOB_LONGEST_MS, type Booking, type User } from './model.ts';

/** Active until the call's start plus its longest duration has passed on the clock. */
export const isActive = (booking: Booking, nowMs: number) => nowMs < booking.startMs + JOB_LONGEST_MS;

export function jobView(booking: Booking, nowMs: number) {
  return {
    job_id: booking.id,
    job_start_time: formatStart(booking.startMs, booking.timezone),
    job_timezone: booking.timezone,
    job_duration: JOB_DURATION_TEXT,
    job_languages: booking.languageIds.map((id) => languageById(id)!.name).join(', '),
    job_active: isActive(booking, nowMs),
    user_id: booking.userId,
  };
}

/** Bubble's Data API names its built-in fields with spaces; empty fields are left out. */
export function jobRecord(booking: Booking, nowMs: number) {
  const created = new Date(booking.createdMs).toISOString();
  return {
    _id: booking.id,
    ...jobView(booking, nowMs),
    ...(booking.notes !== undefined && booking.notes !== '' && { notes: booking.notes }),
    'Created Date': created,
    'Modified Date': created,
  };
}

export function userRecord(user: User) {
  const created = new Date(user.createdMs).toISOString();
  return { _id: user.id, 'Created Date': created, 'Modified Date': created, user_signed_up: true };
}

/** `{response: {cursor, results, count, remaining}}`: `cursor` is the 0-based first position. */
export function bubblePage<T>(all: readonly T[], cursor: number, limit: number) {
  const results = all.slice(cursor, cursor + limit);
  return { response: { cursor, results, count: results.length, remaining: Math.max(0, all.length - cursor - results.length) } };
}
