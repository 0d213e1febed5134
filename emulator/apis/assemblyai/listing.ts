// GET /v2/transcript: the key's transcripts, newest first, filtered by status and creation
// day, in pages. `prev_url` leads to older transcripts (`before_id`), `next_url` to newer ones
// (`after_id`); either is null when there is nothing there. Links repeat the filters.
import { aaiError } from './errors.ts';
import type { TranscriptJob } from './model.ts';

export interface ListQuery {
  limit: number;
  status?: string;
  created_on?: string;
  before_id?: string;
  after_id?: string;
  throttled_only?: boolean;
}

export function page(all: TranscriptJob[], query: ListQuery, base: string): { jobs: TranscriptJob[]; current: string; prev: string | null; next: string | null } {
  // Creation order is the store's order; newest first is its reverse.
  const matching = all.filter((job) => !query.throttled_only
    && (query.status === undefined || job.status === query.status)
    && (query.created_on === undefined || new Date(job.createdAt).toISOString().startsWith(query.created_on)));
  const newestFirst = [...matching].reverse();
  const position = (id: string | undefined) => (id === undefined ? -1 : newestFirst.findIndex((job) => job.id === id));
  let jobs: TranscriptJob[];
  if (query.before_id !== undefined && query.after_id !== undefined) {
    // Both: the transcripts between them (newer is a smaller index here); after_id must be the newer.
    const before = position(query.before_id);
    const after = position(query.after_id);
    if (before !== -1 && after !== -1 && after >= before) throw aaiError('afterNotNewer');
    jobs = before === -1 || after === -1 ? [] : newestFirst.slice(after + 1, before).slice(0, query.limit);
  } else if (query.before_id !== undefined) {
    const at = position(query.before_id);
    jobs = at === -1 ? [] : newestFirst.slice(at + 1, at + 1 + query.limit);
  } else if (query.after_id !== undefined) {
    const at = position(query.after_id);
    jobs = at === -1 ? [] : newestFirst.slice(Math.max(0, at - query.limit), at);
  } else {
    jobs = newestFirst.slice(0, query.limit);
  }
  const link = (extra: Record<string, string>) => {
    const params = new URLSearchParams({ limit: String(query.limit) });
    if (query.status !== undefined) params.set('status', query.status);
    if (query.created_on !== undefined) params.set('created_on', query.created_on);
    for (const [name, value] of Object.entries(extra)) params.set(name, value);
    return `${base}?${params}`;
  };
  const first = jobs[0];
  const last = jobs.at(-1);
  const hasOlder = last !== undefined && position(last.id) < newestFirst.length - 1;
  const hasNewer = first !== undefined && position(first.id) > 0;
  const currentExtra: Record<string, string> = query.before_id !== undefined ? { before_id: query.before_id } : query.after_id !== undefined ? { after_id: query.after_id } : {};
  return { jobs, current: link(currentExtra), prev: hasOlder ? link({ before_id: last.id }) : null, next: hasNewer ? link({ after_id: first.id }) : null };
}
