// A deliberately broken implementation for tests: a proxy in front of a correct one (the
// emulator) that changes one thing — a request on its way in, or a response on its way out —
// so a test can show a check or a scenario step failing for exactly that defect.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface ProxiedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface Defect {
  /** Answer 404 on /__emulator, as a vendor's service would: no clock to move. */
  hideControlApi?: boolean;
  /** Change the request before it reaches the real implementation. */
  request?(request: ProxiedRequest): ProxiedRequest;
  /** Change (or replace) the answer before the client sees it. */
  response?(request: ProxiedRequest, response: ProxiedResponse): ProxiedResponse;
}

export interface BrokenProxy {
  url: string;
  close(): Promise<void>;
}

export async function startBrokenProxy(upstream: string, defect: Defect): Promise<BrokenProxy> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://proxy');
      let request: ProxiedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks) };
      // The control API passes untouched, so the runner can still move the clock.
      const control = request.path.startsWith('/__emulator');
      if (control && defect.hideControlApi) return void res.writeHead(404).end();
      if (!control && defect.request) request = defect.request(request);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(request.headers)) if (v !== undefined && k !== 'host' && k !== 'content-length') headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const upstreamUrl = `${upstream}${request.path}${request.query.size ? `?${request.query}` : ''}`;
      const answer = await fetch(upstreamUrl, { method: request.method, headers, body: request.body.length ? new Uint8Array(request.body) : undefined });
      let response: ProxiedResponse = { status: answer.status, headers: {}, body: Buffer.from(await answer.arrayBuffer()) };
      answer.headers.forEach((value, name) => {
        if (!['content-length', 'transfer-encoding', 'connection', 'keep-alive'].includes(name)) response.headers[name] = value;
      });
      if (!control && defect.response) response = defect.response(request, response);
      res.writeHead(response.status, response.headers).end(response.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Helpers for defects written as JSON edits. */
export const json = {
  read: (response: ProxiedResponse) => JSON.parse(response.body.toString('utf8')),
  write: (response: ProxiedResponse, value: unknown, status = response.status): ProxiedResponse => ({
    status, headers: { ...response.headers, 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(value)),
  }),
};
