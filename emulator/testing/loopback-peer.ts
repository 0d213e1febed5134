// A real server on loopback that plays what the emulator talks to: a remote media host
// (files by path, 404 otherwise) and a callback/webhook receiver (`/hooks/...`) that records
// every request and answers the statuses a test queues (200 once they run out).
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCall {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface LoopbackPeer {
  url: string;
  /** What reached `/hooks/...`, oldest first. */
  received: ReceivedCall[];
  /** Statuses `/hooks/...` answers with, in order; 200 once they run out. */
  answers: number[];
  /** Forgets what was received and queued. */
  clear(): void;
  close(): Promise<void>;
}

export async function startLoopbackPeer(files: Record<string, { body: Buffer | string; type?: string }>): Promise<LoopbackPeer> {
  const received: ReceivedCall[] = [];
  const answers: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const file = files[req.url!];
      if (file) return void res.writeHead(200, file.type ? { 'content-type': file.type } : {}).end(file.body);
      if (req.url!.startsWith('/hooks/')) {
        received.push({ method: req.method!, path: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
        return void res.writeHead(answers.shift() ?? 200).end();
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    answers,
    clear() {
      received.length = 0;
      answers.length = 0;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
