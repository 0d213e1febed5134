import { describe, expect, it } from 'vitest';
import { bannerLines, prefixNotes, summarizePaths } from './banner.ts';
import type { SpecOutline } from './spec-outline.ts';

describe('summarizePaths', () => {
  it.each([
    [['/api/1.1/wf/create_job', '/api/1.1/obj/job', '/api/1.1/obj/job/{job_id}', '/cadence/twilio'], '/api/1.1/wf/create_job, /api/1.1/obj/job[/{job_id}], /cadence/twilio'],
    [['/v2/jobs', '/v2/jobs/{jobid}', '/v2/jobs/{jobid}/transcript', '/v2/jobs/{jobid}/text', '/v2/usage'], '/v2/jobs[/{jobid}[/transcript|/text]], /v2/usage'],
    // Two branches below a path nobody serves are listed apart.
    [['/v1/clients', '/v1/clients/{id}/rooms', '/v1/clients/{id}/usage'], '/v1/clients, /v1/clients/{id}/rooms, /v1/clients/{id}/usage'],
    [['/only'], '/only'],
    [['/'], '/'],
    [['/', '/health'], '/, /health'],
  ])('%j → %s', (paths, summary) => {
    expect(summarizePaths(paths)).toBe(summary);
  });
});

const outline = (name: string, paths: string[], servers = ['http://127.0.0.1:4010']): SpecOutline => ({
  name, servers: servers.map((url) => ({ url })), paths: Object.fromEntries(paths.map((p) => [p, { operations: { get: { operationId: `get${p}` } } }])),
});

describe('prefixNotes', () => {
  it('names the server path prefixes the paths are served under too', () => {
    expect(prefixNotes(outline('a', ['/x/1', '/x/2'], ['https://host/version-test', 'http://127.0.0.1:4010']))).toEqual(['all also under /version-test']);
    const mixed = outline('b', ['/api/1.1/a', '/api/1.1/b/c'], ['https://host/v']);
    mixed.paths['/hook'] = { servers: [{ url: 'http://127.0.0.1:4010' }], operations: { post: { operationId: 'hook' } } };
    expect(prefixNotes(mixed)).toEqual(['/api/1.1/… also under /v']);
    expect(prefixNotes(outline('c', ['/x']))).toEqual([]);
  });
});

describe('bannerLines', () => {
  const base = {
    url: 'http://127.0.0.1:4010',
    outlines: [outline('speechmatics', ['/v2/jobs']), outline('cadence', ['/api/1.1/obj/job'])],
    keys: [
      { keys: ['test-key'], from: 'built in' },
      { keys: [], from: '--api-key' },
      { keys: ['k1', 'k2'], from: 'SPEECHDOUBLE_API_KEYS' },
      { keys: ['meowmeowmeow', 'cadence:friend'], from: 'cadence\'s documentation', api: 'cadence' },
    ],
    anyKey: false,
    clock: { mode: 'manual' as const, now: new Date('2026-01-05T09:00:00.000Z') },
    strict: false,
    log: false,
    settings: [],
    environment: [],
    control: 'open' as const,
  };

  it('lists each API with its paths, the keys with where they came from, the clock, the control API and the log', () => {
    expect(bannerLines(base)).toEqual([
      '  speechmatics  /v2/jobs',
      '  cadence       /api/1.1/obj/job',
      'keys:     test-key (built in); k1, k2 (SPEECHDOUBLE_API_KEYS); meowmeowmeow, cadence:friend (cadence\'s documentation, cadence only)',
      'clock:    manual, at 2026-01-05T09:00:00.000Z; it moves only with POST http://127.0.0.1:4010/__emulator/clock/advance',
      'control:  http://127.0.0.1:4010/__emulator (health: http://127.0.0.1:4010/__emulator/health)',
      'control:  open (loopback only)',
      'data:     in memory (--data-dir DIR keeps it across restarts)',
      'log:      off (--log or SPEECHDOUBLE_LOG=1 prints one line per request)',
    ]);
  });

  it('says so for --any-key, a scaled clock, --strict, settings, variables and --log', () => {
    const lines = bannerLines({ ...base, anyKey: true, clock: { mode: 'scaled', timeScale: 20, now: new Date() }, strict: true, log: true, settings: ['speechmatics.processing=reads:1'], environment: ['SPEECHDOUBLE_LOG=1'] });
    expect(lines.slice(2)).toEqual([
      'keys:     any well-formed key (--any-key)',
      'clock:    scaled, 20 times real time',
      'control:  http://127.0.0.1:4010/__emulator (health: http://127.0.0.1:4010/__emulator/health)',
      'control:  open (loopback only)',
      'data:     in memory (--data-dir DIR keeps it across restarts)',
      'strict:   every stateful answer is checked against its spec (a mismatch answers 500)',
      'settings: speechmatics.processing=reads:1',
      'from env: SPEECHDOUBLE_LOG=1',
      'log:      one line per request: time, method, path, API, operation, status, ms',
    ]);
  });

  it('says who may use the control API (never printing the token), the hosts allowed out and the limits set', () => {
    const token = bannerLines({ ...base, url: 'http://0.0.0.0:4010', control: 'token', environment: ['SPEECHDOUBLE_CONTROL_TOKEN=<hidden>'] });
    expect(token).toContain('control:  http://0.0.0.0:4010/__emulator (health: http://0.0.0.0:4010/__emulator/health)');
    expect(token).toContain('control:  needs Authorization: Bearer <token>');
    expect(token).toContain('from env: SPEECHDOUBLE_CONTROL_TOKEN=<hidden>');
    const off = bannerLines({ ...base, control: 'off' });
    expect(off.filter((line) => line.startsWith('control:'))).toEqual(['control:  off (--no-control)']);
    expect(off).toContain('clock:    manual, at 2026-01-05T09:00:00.000Z; nothing moves it (--no-control)');
    const limited = bannerLines({ ...base, allowFetch: ['media.example.com', '10.0.0.0/8'], limits: ['--max-url-kib 4', '--headers-timeout 5'] });
    expect(limited).toContain('outbound: fetch from media.example.com, 10.0.0.0/8; callbacks to any host but link-local and cloud-metadata ones');
    expect(limited).toContain('limits:   --max-url-kib 4, --headers-timeout 5');
    expect(bannerLines(base).some((line) => /^(outbound|limits):/.test(line))).toBe(false);
  });

  it('says where --data-dir keeps state and what a restart resumed', () => {
    const data = (executions: number, discardedBytes = 0) => bannerLines({ ...base, data: { dir: '/var/sd', executions, discardedBytes } }).find((line) => line.startsWith('data:'));
    expect(data(0)).toBe('data:     /var/sd (nothing to resume); state survives a restart');
    expect(data(1)).toBe('data:     /var/sd (resumed: 1 execution replayed); state survives a restart');
    expect(data(12, 40)).toBe('data:     /var/sd (resumed: 12 executions replayed; a torn last record (40 bytes) cut); state survives a restart');
  });
});
