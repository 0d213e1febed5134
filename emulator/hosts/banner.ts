// What `speechdouble serve` prints once it listens: after its first line (which scripts parse,
// and which serve-command.ts prints), each API with its paths, the keys it accepts and where
// each came from, the clock, the control API and who may use it, the limits and hosts allowed
// when they were set, and the log.
import { serverPath } from '../core/api-routing.ts';
import type { SpecOutline } from './spec-outline.ts';
import type { Restored } from '../core/emulator.ts';

interface Node {
  segment: string;
  endpoint: boolean;
  children: Node[];
}

function trieOf(templates: readonly string[]): Node {
  const root: Node = { segment: '', endpoint: false, children: [] };
  for (const template of templates) {
    let node = root;
    for (const segment of template.split('/').filter(Boolean)) {
      let child = node.children.find((c) => c.segment === segment);
      if (!child) {
        child = { segment, endpoint: false, children: [] };
        node.children.push(child);
      }
      node = child;
    }
    node.endpoint = true;
  }
  return root;
}

/**
 * Every path under `node`, relative to it, as one expression, when that reads plainly: a path
 * with optional tails, `[/a|/b]`. Undefined where two branches part below a path that is not
 * itself served (those are listed apart).
 */
function tail(node: Node): string | undefined {
  const children = node.children.map((child) => {
    const rest = tail(child);
    return rest === undefined ? undefined : `/${child.segment}${rest}`;
  });
  if (children.some((c) => c === undefined)) return undefined;
  if (node.endpoint) return children.length ? `[${children.join('|')}]` : '';
  return children.length === 1 ? children[0] : undefined;
}

function entries(node: Node, prefix: string): string[] {
  // The root itself is written `/`, never as an empty path with tails.
  const whole = prefix === '' && node.endpoint ? undefined : tail(node);
  if (whole !== undefined) return [prefix + whole];
  return [...(node.endpoint ? [prefix || '/'] : []), ...node.children.flatMap((child) => entries(child, `${prefix}/${child.segment}`))];
}

/**
 * Path templates, compactly: `/a/job`, `/a/job/{id}` → `/a/job[/{id}]`; paths that part below
 * a path nobody serves are listed apart, in the order given.
 */
export function summarizePaths(templates: readonly string[]): string {
  return entries(trieOf(templates), '').join(', ');
}

/** Server prefixes (Cadence's `/version-test`) the API's paths are served under too. */
export function prefixNotes(outline: SpecOutline): string[] {
  const byPrefix = new Map<string, string[]>();
  for (const [path, item] of Object.entries(outline.paths)) {
    for (const op of Object.values(item.operations)) {
      const servers = op.servers ?? item.servers ?? outline.servers;
      for (const prefix of new Set(servers.map((s) => serverPath(s.url)).filter(Boolean))) {
        const paths = byPrefix.get(prefix) ?? [];
        if (!paths.includes(path)) paths.push(path);
        byPrefix.set(prefix, paths);
      }
    }
  }
  const all = Object.keys(outline.paths);
  return [...byPrefix].map(([prefix, paths]) => {
    if (paths.length === all.length) return `all also under ${prefix}`;
    return `${commonPrefix(paths)}… also under ${prefix}`;
  });
}

function commonPrefix(paths: string[]): string {
  let common = paths[0] ?? '';
  for (const path of paths) {
    while (!path.startsWith(common)) {
      const shorter = common.slice(0, common.lastIndexOf('/', common.length - 2) + 1);
      common = shorter.length < common.length ? shorter : '';
    }
  }
  return common;
}

export interface KeySource {
  keys: readonly string[];
  /** Where they came from: `built in`, `--api-key`, `SPEECHDOUBLE_API_KEYS`, `cadence's documentation`… */
  from: string;
  /** Accepted by this API only (a vendor's documented samples). */
  api?: string;
}

export interface BannerInfo {
  url: string;
  outlines: readonly SpecOutline[];
  keys: readonly KeySource[];
  anyKey: boolean;
  clock: { mode: 'real' | 'scaled' | 'manual'; timeScale?: number; now: Date };
  strict: boolean;
  log: boolean;
  /** Settings given with --set or the older flags, as `api.name=value`. */
  settings: readonly string[];
  /** Environment variables that set something, as `NAME=value` (a secret's value hidden). */
  environment: readonly string[];
  /** Who may use the control API: anyone (on loopback), a client with the token, or no one (`--no-control`). */
  control: 'open' | 'token' | 'off';
  /** `--allow-fetch` patterns; none: every host but link-local and cloud-metadata ones. */
  allowFetch?: readonly string[];
  /** `--allow-callback` patterns, as allowFetch. */
  allowCallback?: readonly string[];
  /** Limits set to other than their defaults, as the flags that set them (`--max-url-kib 4`). */
  limits?: readonly string[];
  /** `--data-dir`: where state is kept, and how much a restart replayed from it. */
  data?: Restored;
}

const ANY_HOST = 'any host but link-local and cloud-metadata ones';

/** The lines after the first. */
export function bannerLines(info: BannerInfo): string[] {
  const width = Math.max(...info.outlines.map((o) => o.name.length));
  const lines = info.outlines.map((outline) => {
    const notes = prefixNotes(outline);
    return `  ${outline.name.padEnd(width)}  ${summarizePaths(Object.keys(outline.paths))}${notes.length ? ` (${notes.join('; ')})` : ''}`;
  });
  const list = (source: KeySource) => `${source.keys.join(', ')} (${source.from}${source.api ? `, ${source.api} only` : ''})`;
  const keys = info.keys.filter((source) => source.keys.length > 0).map(list);
  lines.push(`keys:     ${info.anyKey ? 'any well-formed key (--any-key)' : keys.join('; ')}`);
  const { clock } = info;
  const control = `${info.url}/__emulator`;
  const off = info.control === 'off';
  lines.push(
    `clock:    ${clock.mode === 'manual'
      ? `manual, at ${clock.now.toISOString()}; ${off ? 'nothing moves it (--no-control)' : `it moves only with POST ${control}/clock/advance`}`
      : clock.mode === 'scaled' ? `scaled, ${clock.timeScale} times real time` : 'real time'}`,
  );
  if (off) {
    lines.push('control:  off (--no-control)');
  } else {
    lines.push(`control:  ${control} (health: ${control}/health)`);
    // Never the token itself: the banner ends up in CI logs.
    lines.push(info.control === 'token' ? 'control:  needs Authorization: Bearer <token>' : 'control:  open (loopback only)');
  }
  const fetch = info.allowFetch ?? [];
  const callback = info.allowCallback ?? [];
  if (fetch.length || callback.length) {
    lines.push(`outbound: fetch from ${fetch.length ? fetch.join(', ') : ANY_HOST}; callbacks to ${callback.length ? callback.join(', ') : ANY_HOST}`);
  }
  if (info.limits?.length) lines.push(`limits:   ${info.limits.join(', ')}`);
  if (info.data) {
    const { dir, executions, discardedBytes } = info.data;
    const torn = discardedBytes > 0 ? `; a torn last record (${discardedBytes} bytes) cut` : '';
    lines.push(`data:     ${dir} (${executions === 0 ? 'nothing to resume' : `resumed: ${executions} execution${executions === 1 ? '' : 's'} replayed`}${torn}); state survives a restart`);
  } else {
    lines.push('data:     in memory (--data-dir DIR keeps it across restarts)');
  }
  if (info.strict) lines.push('strict:   every stateful answer is checked against its spec (a mismatch answers 500)');
  if (info.settings.length) lines.push(`settings: ${info.settings.join(', ')}`);
  if (info.environment.length) lines.push(`from env: ${info.environment.join(', ')}`);
  lines.push(info.log ? 'log:      one line per request: time, method, path, API, operation, status, ms' : 'log:      off (--log or SPEECHDOUBLE_LOG=1 prints one line per request)');
  return lines;
}
