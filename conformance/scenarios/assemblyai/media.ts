// Audio for AssemblyAI to download by URL. The runner's receiver records calls and answers
// them empty; `audio_url` needs a host that serves a real recording, and one that answers 404,
// so these journeys host both on this machine's loopback (reachable only by a local target)
// for as long as the run lasts.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ScenarioContext } from '../../scenario.ts';
import { SPEECH } from './journey.ts';

export interface MediaHost {
  /** Serves the recording (audio/wav). */
  speechUrl: string;
  /** Answers 404: audio that cannot be downloaded. */
  missingUrl: string;
}

export const LOCAL_ONLY = 'the audio host listens on this machine\'s loopback, which a remote target cannot reach';

const hosts = new WeakMap<ScenarioContext, Promise<MediaHost>>();

/** One host per journey, closed when the run ends (after the transcripts that use it are deleted). */
export function mediaHost(ctx: ScenarioContext): Promise<MediaHost> {
  let host = hosts.get(ctx);
  if (!host) hosts.set(ctx, (host = start(ctx)));
  return host;
}

async function start(ctx: ScenarioContext): Promise<MediaHost> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/conformance/en-greeting.wav') return void res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': SPEECH.length }).end(SPEECH);
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
