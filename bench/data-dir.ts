// What `--data-dir` costs: the same speechdouble with state in memory and with a data dir, side
// by side in one run (their turns taken in rotation, as throughput.ts does), on a read that runs
// a handler (GET /v2/jobs/{id}: recorded, since a read may move a job on) and a multipart
// submission (recorded, its file kept by hard link, fsynced before the answer). Then the
// restart: the data-dir server is stopped with SIGKILL after the load and started again on its
// directory, and its time from spawn to the first 200 on health (the replay included) is set
// beside the in-memory server's start.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { encodeRequest, load, type LoadResult } from './load.ts';
import { AUTH, launch, type Server } from './servers.ts';
import { BOUNDARY, CONNECTIONS, multipartBody, SECONDS, SLICES, WAV } from './throughput.ts';

export interface DataDirRow {
  name: string;
  memory: string;
  dataDir: string;
  ratio: string;
  note: string;
}

const perSecond = (slices: LoadResult[]) => slices.reduce((sum, r) => sum + r.requests, 0) / slices.reduce((sum, r) => sum + r.seconds, 0);
const failures = (slices: LoadResult[]) => slices.reduce((sum, r) => sum + Object.entries(r.statuses).filter(([status]) => !status.startsWith('2')).reduce((n, [, count]) => n + count, 0) + r.socketErrors, 0);

export async function dataDirRows(tmp: string): Promise<DataDirRow[]> {
  const dir = join(tmp, 'data-dir');
  const body = multipartBody();
  const postHeaders = { ...AUTH, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
  const rows: DataDirRow[] = [];
  let memory: Server | undefined;
  let durable: Server | undefined;
  try {
    memory = await launch('speechdouble', { serveArgs: ['--manual-clock'] });
    durable = await launch('speechdouble', { serveArgs: ['--manual-clock', '--data-dir', dir] });
    const servers = { memory, durable };
    // One job on each (the same id: same seed, same first request) for the read to find.
    const first = await fetch(`${memory.url}/v2/jobs`, { method: 'POST', headers: postHeaders, body }).then((res) => res.json() as Promise<{ id: string }>);
    await fetch(`${durable.url}/v2/jobs`, { method: 'POST', headers: postHeaders, body });
    const cases = [
      { name: `GET /v2/jobs/{id}`, request: (url: string) => encodeRequest('GET', `${url}/v2/jobs/${first.id}`, AUTH) },
      { name: `POST /v2/jobs multipart (${WAV})`, request: (url: string) => encodeRequest('POST', `${url}/v2/jobs`, postHeaders, body) },
    ];
    for (const c of cases) {
      const slices: Record<'memory' | 'durable', LoadResult[]> = { memory: [], durable: [] };
      for (const kind of ['memory', 'durable'] as const) await load(servers[kind].url, c.request(servers[kind].url), { connections: CONNECTIONS, durationMs: 1000, warmupMs: 0 });
      for (let slice = 0; slice < SLICES; slice++) {
        for (const kind of slice % 2 ? (['durable', 'memory'] as const) : (['memory', 'durable'] as const)) {
          slices[kind].push(await load(servers[kind].url, c.request(servers[kind].url), { connections: CONNECTIONS, durationMs: (SECONDS * 1000) / SLICES, warmupMs: 0 }));
        }
      }
      const [m, d] = [perSecond(slices.memory), perSecond(slices.durable)];
      const p99 = (results: LoadResult[]) => [...results.map((r) => r.p99Ms)].sort((a, b) => a - b)[Math.floor(results.length / 2)]!;
      const bad = failures(slices.memory) + failures(slices.durable);
      rows.push({ name: `${c.name}, throughput`, memory: `${m.toFixed(0)} req/s`, dataDir: `${d.toFixed(0)} req/s`, ratio: `${(d / m).toFixed(2)}×`, note: `p99 ms ${p99(slices.memory).toFixed(1)} / ${p99(slices.durable).toFixed(1)}; ${CONNECTIONS} connections, ${SECONDS} s each in ${SLICES} turns in rotation${bad ? `; ${bad} answers not 2xx or dropped` : ''}` });
    }

    // The restart: kill -9 after all that, then start on the directory again.
    const log = statSync(join(dir, 'executions.log')).size;
    const executions = readFileSync(join(dir, 'executions.log'), 'latin1').split('\n').filter(Boolean).length - 1;
    process.kill(durable.pid, 'SIGKILL');
    await durable.stop();
    durable = await launch('speechdouble', { serveArgs: ['--manual-clock', '--data-dir', dir] });
    const fresh = await launch('speechdouble', { serveArgs: ['--manual-clock'] });
    await fresh.stop();
    rows.push({
      name: `start: spawn to first 200, ${executions.toLocaleString('en-US')} executions to replay`,
      memory: `${fresh.startMs.toFixed(0)} ms`,
      dataDir: `${durable.startMs.toFixed(0)} ms`,
      ratio: `${(durable.startMs / fresh.startMs).toFixed(2)}×`,
      note: `log ${(log / 1e6).toFixed(1)} MB (${(log / executions).toFixed(0)} bytes per execution); replay ≈ ${(((durable.startMs - fresh.startMs) / executions) * 1000).toFixed(0)} µs per execution`,
    });
    const listed = await fetch(`${durable.url}/v2/jobs?limit=1`, { headers: AUTH }).then((res) => res.status);
    if (listed !== 200) throw new Error(`after the restart the list answered ${listed}`);
  } finally {
    await memory?.stop();
    await durable?.stop();
  }
  return rows;
}

export function printDataDirTable(rows: DataDirRow[]): void {
  console.log('| benchmark | in memory | --data-dir | ÷ in memory | note |\n| --- | --: | --: | --: | --- |');
  for (const row of rows) console.log(`| ${row.name} | ${row.memory} | ${row.dataDir} | ${row.ratio} | ${row.note} |`);
}
