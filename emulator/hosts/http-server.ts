// The HTTP edge: turns express requests into EmulatorRequests and EmulatorResponses back into
// bytes. Nothing below this file sees express.
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { Server } from 'node:http';
import express, { type Request, type Response } from 'express';
import type { Emulator } from '../core/emulator.ts';
import { queryFrom, type EmulatorRequest, type EmulatorResponse } from '../core/http-types.ts';

export interface ListenOptions {
  host: string;
  port: number;
}

// Bodies pass through unread, as a stream: the core reads each by its operation's media type
// (JSON into memory within a bound, uploads straight to disk as they arrive).
const mayHaveBody = (req: Request) => req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

function toEmulatorRequest(req: Request): EmulatorRequest {
  const url = new URL(req.originalUrl, 'http://emulator.invalid');
  const query = queryFrom(url.searchParams);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: req.method, path: url.pathname, query, headers, body: Buffer.alloc(0),
    ...(mayHaveBody(req) && { stream: req }),
    origin: `${req.protocol}://${req.headers.host ?? 'localhost'}`,
  };
}

function send(res: Response, response: EmulatorResponse): void {
  if (response.dropConnection) {
    res.socket?.destroy();
    return;
  }
  res.status(response.status);
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  const { body } = response;
  if (body === undefined || body === null || response.status === 204 || response.status === 304) {
    res.end();
  } else if (Buffer.isBuffer(body) || typeof body === 'string') {
    res.end(body);
  } else if (body instanceof Readable) {
    body.on('error', () => res.destroy());
    body.pipe(res);
  } else {
    if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(body));
  }
}

export function createApp(emulator: Emulator): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(async (req, res, next) => {
    try {
      send(res, await emulator.handle(toEmulatorRequest(req)));
    } catch (error) {
      next(error);
    }
  });
  // Anything unexpected: an answer, not a crash.
  app.use((error: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: express.NextFunction) => {
    const status = error.status && error.status >= 400 && error.status < 600 ? error.status : 500;
    if (res.headersSent) return res.end();
    res.status(status).json({ error: status === 413 ? 'payload_too_large' : 'internal', message: error.message });
  });
  return app;
}

export interface RunningServer {
  url: string;
  emulator: Emulator;
  server: Server;
  close(): Promise<void>;
}

/** Serves an emulator over HTTP; closing stops the emulator too. */
export async function listen(emulator: Emulator, options: ListenOptions): Promise<RunningServer> {
  const app = createApp(emulator);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port, options.host, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    emulator,
    server,
    close: () => {
      emulator.beginShutdown();
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      });
    },
  };
}
