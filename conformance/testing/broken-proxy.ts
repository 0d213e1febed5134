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
  /** Change a request to the control API (/__emulator) before it reaches the implementation: to move its clock otherwise than asked. */
  control?(request: ProxiedRequest): ProxiedRequest;
  /** Change the request before it reaches the real implementation. */
  request?(request: ProxiedRequest): ProxiedRequest | Promise<ProxiedRequest>;
  /** Change (or replace) the answer before the client sees it; may act on the implementation meanwhile (move its clock). */
  response?(request: ProxiedRequest, response: ProxiedResponse): ProxiedResponse | Promise<ProxiedResponse>;
}

export interface BrokenProxy {
  url: string;
  close(): Promise<void>;
}

export async function startBrokenProxy(upstream: string, defect: Defect): Promise<BrokenProxy> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    const handle = async () => {
      const url = new URL(req.url ?? '/', 'http://proxy');
      let request: ProxiedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks) };
      // The control API passes untouched, so the runner can still move the clock.
      const control = request.path.startsWith('/__emulator');
      if (control && defect.hideControlApi) return void res.writeHead(404).end();
      if (control && defect.control) request = defect.control(request);
      if (!control && defect.request) request = await defect.request(request);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(request.headers)) if (v !== undefined && k !== 'host' && k !== 'content-length') headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const upstreamUrl = `${upstream}${request.path}${request.query.size ? `?${request.query}` : ''}`;
      const answer = await fetch(upstreamUrl, { method: request.method, headers, body: request.body.length ? new Uint8Array(request.body) : undefined });
      let response: ProxiedResponse = { status: answer.status, headers: {}, body: Buffer.from(await answer.arrayBuffer()) };
      answer.headers.forEach((value, name) => {
        if (!['content-length', 'transfer-encoding', 'connection', 'keep-alive'].includes(name)) response.headers[name] = value;
      });
      if (!control && defect.response) response = await defect.response(request, response);
      res.writeHead(response.status, response.headers).end(response.body);
    };
    req.on('end', () => void handle().catch((error: unknown) => {
      // A defect that throws is a bug in the test: answered as a gateway error, not left to hang.
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`broken proxy: ${(error as Error)?.stack ?? String(error)}`);
    }));
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

/** Moves the implementation's clock (its control API) by `seconds`, as the runner would. */
export async function advanceClock(upstream: string, seconds: number): Promise<void> {
  const res = await fetch(`${upstream}/__emulator/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds }) });
  if (!res.ok) throw new Error(`advancing the clock failed: ${res.status}`);
}
