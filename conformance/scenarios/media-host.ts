// Audio for a target to download by URL (Gladia's and AssemblyAI's `audio_url`). The runner's
// receiver records calls and answers them empty; these journeys need a host that serves a real
// recording, and one that answers 404, so they host both on this machine's loopback (reachable
// only by a local target) for as long as the run lasts.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ScenarioContext } from '../scenario.ts';

export interface MediaHost {
  /** Serves the recording (audio/wav). */
  speechUrl: string;
  /** Answers 404: audio that cannot be downloaded. */
  missingUrl: string;
}

export const LOCAL_ONLY = 'the audio host listens on this machine\'s loopback, which a remote target cannot reach';

const hosts = new WeakMap<ScenarioContext, Promise<MediaHost>>();

/** One host per journey, serving `recording`, closed when the run ends (after what uses it is deleted). */
export function mediaHost(ctx: ScenarioContext, recording: Buffer): Promise<MediaHost> {
  let host = hosts.get(ctx);
  if (!host) hosts.set(ctx, (host = start(ctx, recording)));
  return host;
}

async function start(ctx: ScenarioContext, recording: Buffer): Promise<MediaHost> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/conformance/en-greeting.wav') return void res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': recording.length }).end(recording);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ctx.onCleanup(() => new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { speechUrl: `${base}/conformance/en-greeting.wav`, missingUrl: `${base}/conformance/missing.wav` };
}
