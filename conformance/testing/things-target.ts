// For tests: a small server that implements testing/things.swagger2.yaml (the "things" API under
// a base path, /api/v1 by default) correctly, in memory, and keeps every request it is sent; a
// `defect` may answer a request otherwise first, to plant a bug for a check to find. Ids are
// t1, t2, … so two runs against fresh targets see the same ones.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ThingsRequest {
  method: string;
  /** The path as sent, base path included. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface ThingsAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface ThingsTarget {
  url: string;
  requests: ThingsRequest[];
  close(): Promise<void>;
}

export interface ThingsOptions {
  basePath?: string;
  key?: string;
  /** Answers a request before the API does (a planted bug); undefined lets the API answer. */
  defect?(request: ThingsRequest): ThingsAnswer | undefined | Promise<ThingsAnswer | undefined>;
}

interface Thing {
  id: string;
  name: string;
  size?: number | null;
  label?: string;
}

const error = (status: number, message: string): ThingsAnswer => ({ status, body: { error: message } });

export async function startThingsTarget(options: ThingsOptions = {}): Promise<ThingsTarget> {
  const base = options.basePath ?? '/api/v1';
  const key = options.key ?? 'test-key';
  const things = new Map<string, Thing>();
  let next = 1;
  const requests: ThingsRequest[] = [];

  const answer = (request: ThingsRequest): ThingsAnswer => {
    if (!request.path.startsWith(`${base}/`)) return error(404, 'no such path');
    const path = request.path.slice(base.length);
    const item = /^\/things\/([^/]+)(\/label)?$/.exec(path);
    const allowed = path === '/things' ? ['GET', 'POST'] : item?.[2] ? ['PUT'] : item ? ['GET', 'DELETE'] : undefined;
    if (!allowed) return error(404, 'no such path');
    if (!allowed.includes(request.method)) return { status: 405, headers: { allow: allowed.join(', ') }, body: { error: `${request.method} is not allowed here` } };
    if (request.headers['x-api-key'] !== key) return error(401, 'no key, or not the key');
    if (path === '/things' && request.method === 'GET') {
      const limit = request.query.get('limit');
      if (limit !== null && !(/^\d+$/.test(limit) && Number(limit) >= 1 && Number(limit) <= 50)) return error(400, 'limit is a whole number from 1 to 50');
      return { status: 200, body: [...things.values()].slice(0, limit === null ? undefined : Number(limit)) };
    }
    if (path === '/things') {
      let body: unknown;
      try {
        body = JSON.parse(request.body.toString('utf8'));
      } catch {
        return error(400, 'the body is not JSON');
      }
      const { name, size } = (body ?? {}) as { name?: unknown; size?: unknown };
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return error(400, 'the body is an object');
      if (typeof name !== 'string' || name.length < 1) return error(400, 'name is a non-empty string');
      if (size !== undefined && size !== null && !(Number.isInteger(size) && (size as number) >= 0)) return error(400, 'size is a whole number, 0 or more');
      const thing: Thing = { id: `t${next++}`, name, ...(size !== undefined && { size: size as number | null }) };
      things.set(thing.id, thing);
      return { status: 201, body: thing };
    }
    const id = decodeURIComponent(item![1]!);
    const thing = things.get(id);
    if (!thing) return error(404, 'no such thing');
    if (request.method === 'GET') return { status: 200, body: thing };
    if (request.method === 'DELETE') {
      things.delete(id);
      return { status: 204 };
    }
    const label = new URLSearchParams(request.body.toString('utf8')).get('label');
    if (label === null || label.length > 20) return error(400, 'label is at most 20 characters');
    thing.label = label;
    return { status: 200, body: thing };
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => void (async () => {
      const url = new URL(req.url ?? '/', 'http://things');
      const request: ThingsRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(request);
      const reply = (await options.defect?.(request)) ?? answer(request);
      const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
      res.writeHead(reply.status, { ...(body && { 'content-type': 'application/json' }), ...reply.headers }).end(body);
    })());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
