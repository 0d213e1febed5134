// Prism's way to ask for a particular documented response, kept exactly as Prism users know it:
// `Prefer: code=404, example=job-not-found, dynamic=true`, or the query parameters `__code`,
// `__example`, `__dynamic` (the header wins when both are given).
import type { QueryValue } from './http-types.ts';

export interface Preferences {
  code?: number;
  example?: string;
  dynamic?: boolean;
}

export type PreferResult = { ok: true; preferences: Preferences } | { ok: false; problem: string };

const first = (v: QueryValue | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

function parsePreferHeader(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const token of header.split(/[,;]/)) {
    const [rawKey, ...rest] = token.split('=');
    const key = rawKey?.trim().toLowerCase();
    if (!key) continue;
    out[key] = rest.join('=').trim().replace(/^"(.*)"$/, '$1');
  }
  return out;
}

export function readPreferences(headers: Record<string, string>, query: Record<string, QueryValue>): PreferResult {
  const fromHeader = headers.prefer ? parsePreferHeader(headers.prefer) : {};
  const code = fromHeader.code ?? first(query.__code);
  const example = fromHeader.example ?? first(query.__example);
  const dynamic = fromHeader.dynamic ?? first(query.__dynamic);
  const preferences: Preferences = {};
  if (code !== undefined) {
    if (!/^\d{3}$/.test(code)) return { ok: false, problem: `Prefer code must be a three-digit status, got "${code}"` };
    preferences.code = Number(code);
  }
  if (example !== undefined) preferences.example = example;
  if (dynamic !== undefined) {
    if (dynamic !== 'true' && dynamic !== 'false') return { ok: false, problem: `Prefer dynamic must be true or false, got "${dynamic}"` };
    preferences.dynamic = dynamic === 'true';
  }
  return { ok: true, preferences };
}

export function hasPreferences(p: Preferences): boolean {
  return p.code !== undefined || p.example !== undefined || p.dynamic !== undefined;
}
