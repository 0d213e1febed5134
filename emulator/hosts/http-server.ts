// The HTTP edge: turns express requests into EmulatorRequests and EmulatorResponses back into
// bytes. Nothing below this file sees express.
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { Server } from 'node:http';
import express, { type Request, type Response } from 'express';
import { createEmulator, type Emulator, type EmulatorOptions } from '../core/emulator.ts';
import { queryFrom, type EmulatorRequest, type EmulatorResponse } from '../core/http-types.ts';
import type { ApiName } from '../../openapi/specs.ts';

export interface ServeOptions extends EmulatorOptions {
  host: string;
  port: number;
  apis?: ApiName[];
}

// Non-multipart bodies (JSON, raw bytes) are read here, within this bound; multipart uploads
// pass through unread as a stream, so the core can write their files to disk as they arrive.
const BODY_LIMIT = '256mb';
const isMultipart = (req: { headers: { 'content-type'?: string } }) => /^multipart\//i.test(req.headers['content-type'] ?? '');

function toEmulatorRequest(req: Request): EmulatorRequest {
  const url = new URL(req.originalUrl, 'http://emulator.invalid');
  const query = queryFrom(url.searchParams);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: req.method, path: url.pathname, query, headers,
    body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
    ...(isMultipart(req) && { stream: req }),
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
  // Every body arrives as raw bytes (or, multipart, as a stream); the core reads it by the spec.
  app.use(express.raw({ type: (req) => !isMultipart(req as Request), limit: BODY_LIMIT }));
  app.use(async (req, res, next) => {
    try {
      send(res, await emulator.handle(toEmulatorRequest(req)));
    } catch (error) {
      next(error);
    }
  });
  // Body-parser failures (too large, aborted) and anything unexpected: an answer, not a crash.
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

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { host: _host, port: _port, ...emulatorOptions } = options;
  const emulator = await createEmulator(emulatorOptions);
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
