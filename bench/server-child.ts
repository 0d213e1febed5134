// A server in its own process, for benchmarks: `emulator` (speechdouble, manual clock) or
// `raw` (a bare node:http server answering a fixed job list, the baseline). Prints its URL;
// answers `rss` on stdin with its current and peak resident memory, and `heap` with the heap
// in use after a full garbage collection (the child runs with --expose-gc).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';

const kind = process.argv[2];
let url: string;
if (kind === 'raw') {
  const body = JSON.stringify({ jobs: [{ created_at: '2026-01-05T09:00:00.000Z', data_name: 'a.wav', duration: 5, id: 'a1b2c3d4e5', status: 'done' }] });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
} else {
  // Loaded only here, so the baseline process does not pay for the emulator's modules.
  const { startServer } = await import('../emulator/compose.ts');
  url = (await startServer({ host: '127.0.0.1', port: 0, clock: { mode: 'manual' } })).url;
}
process.stdout.write(`${url}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'rss') process.stdout.write(JSON.stringify({ rssKb: Math.round(process.memoryUsage().rss / 1024), maxRssKb: process.resourceUsage().maxRSS }) + '\n');
  if (line === 'heap') {
    const gc = (globalThis as { gc?: () => void }).gc!;
    gc();
    gc();
    process.stdout.write(JSON.stringify({ heapBytes: process.memoryUsage().heapUsed }) + '\n');
  }
});
