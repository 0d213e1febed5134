// GET /v2/pre-recorded: the caller's jobs, newest first (the sources do not say; created_at
// descending, then id), filtered by status, creation dates and custom_metadata pairs, in pages
// whose `first`, `current` and `next` links repeat the filters and work when followed.
import type { QueryValue } from '../../core/http-types.ts';
import type { Job } from './model.ts';

export interface ListQuery {
  offset: number;
  limit: number;
  status?: string[];
  date?: string;
  before_date?: string;
  after_date?: string;
}

const DAY = 24 * 3600 * 1000;

/** A date-time as an instant; a plain `YYYY-MM-DD` as the start of that day (UTC). */
const instant = (text: string) => Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);

/** `custom_metadata[team]=finance` pairs, as Gladia's web framework reads a deepObject. */
export function metadataFilter(query: Record<string, QueryValue>): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    const name = /^custom_metadata\[([^\]]+)\]$/.exec(key)?.[1];
    if (name !== undefined) pairs[name] = Array.isArray(value) ? value[0]! : value;
  }
  return pairs;
}

function matches(job: Job, query: ListQuery, metadata: Record<string, string>): boolean {
  if (query.status?.length && !query.status.includes(job.status)) return false;
  if (query.date !== undefined) {
    const day = Math.floor(instant(query.date) / DAY) * DAY;
    if (job.createdAt < day || job.createdAt >= day + DAY) return false;
  }
  if (query.before_date !== undefined && !(job.createdAt < instant(query.before_date))) return false;
  if (query.after_date !== undefined && !(job.createdAt > instant(query.after_date))) return false;
  return Object.entries(metadata).every(([key, value]) => job.customMetadata !== null && String(job.customMetadata[key]) === value);
}

export function page(jobs: Job[], query: ListQuery, metadata: Record<string, string>, base: string): { first: string; current: string; next: string | null; jobs: Job[] } {
  const found = jobs
    .filter((job) => matches(job, query, metadata))
    .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
  const link = (offset: number) => {
    const params = new URLSearchParams({ offset: String(offset), limit: String(query.limit) });
    for (const status of query.status ?? []) params.append('status', status);
    for (const name of ['date', 'before_date', 'after_date'] as const) if (query[name] !== undefined) params.set(name, query[name]!);
    for (const [key, value] of Object.entries(metadata)) params.set(`custom_metadata[${key}]`, value);
    return `${base}?${params}`;
  };
  const end = query.offset + query.limit;
  return { first: link(0), current: link(query.offset), next: end < found.length ? link(end) : null, jobs: found.slice(query.offset, end) };
}
