// A callback receiver on this machine's loopback: what the target sends there is recorded,
// so scenarios can check the query, method, headers and body of real callbacks.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallbackReceiver, ReceivedCall } from '../scenario.ts';

export interface Receiver extends CallbackReceiver {
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const calls: ReceivedCall[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls.push({ method: req.method ?? 'GET', url: new URL(req.url ?? '/', 'http://receiver'), headers: req.headers, body: Buffer.concat(chunks) });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
