// The three servers the bench compares, each in its own process, launched the way a user
// launches them: speechdouble (the built CLI, `bin/speechdouble.js serve`), a bare node:http
// server (bench/bare-server.mjs, plain JavaScript), and Prism 5.14.2 (`prism mock`, static
// examples, its log silenced and its output ignored) serving the Speechmatics spec.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { elapsedMs, freePort, memoryOf, waitFor200 } from './system.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = fileURLToPath(new URL('../bin/speechdouble.js', import.meta.url));
const BARE = fileURLToPath(new URL('./bare-server.mjs', import.meta.url));
const GC_HOOK = new URL('./gc-hook.mjs', import.meta.url).href;
const PRISM = fileURLToPath(new URL('../node_modules/@stoplight/prism-cli/dist/index.js', import.meta.url));
export const SPEC = fileURLToPath(new URL('../specs/speechmatics-batch.yaml', import.meta.url));

export type ServerKind = 'speechdouble' | 'bare' | 'prism';
export const KINDS: ServerKind[] = ['speechdouble', 'bare', 'prism'];
export const AUTH = { authorization: 'Bearer test-key' };

export interface LaunchOptions {
  /** speechdouble: serve's flags after --port (default: none, the real clock, every API). */
  serveArgs?: string[];
  /** speechdouble: preload bench/gc-hook.mjs (with --expose-gc) so gcMemory() works. */
  gcHook?: boolean;
  /** bare: the answers to give (see bench/bare-server.mjs). */
  answersFile?: string;
}

export interface Server {
  kind: ServerKind;
  url: string;
  pid: number;
  /** Spawn to the first 200 on the health URL. */
  startMs: number;
  /** Resident memory now and at peak, read from /proc. */
  memory(): { rssKb: number; peakKb: number };
  /** speechdouble with gcHook: process.memoryUsage() after two full collections, in bytes. */
  gcMemory(): Promise<NodeJS.MemoryUsage>;
  stop(): Promise<void>;
}

/** The URL that answers 200 once a server is up, and the headers it needs. */
export function healthOf(kind: ServerKind, url: string): [string, Record<string, string>] {
  if (kind === 'speechdouble') return [`${url}/__emulator/health`, {}];
  if (kind === 'prism') return [`${url}/v2/jobs`, AUTH]; // Prism has no health route
  return [`${url}/`, {}];
}

export function commandOf(kind: ServerKind, port: number, options: LaunchOptions = {}): string[] {
  if (kind === 'speechdouble') {
    const hook = options.gcHook ? ['--expose-gc', '--import', GC_HOOK] : [];
    return [...hook, BIN, 'serve', '--port', String(port), ...(options.serveArgs ?? [])];
  }
  if (kind === 'prism') return [PRISM, 'mock', SPEC, '--port', String(port), '--host', '127.0.0.1', '--verboseLevel', 'silent'];
  return [BARE, String(port), ...(options.answersFile ? [options.answersFile] : [])];
}

export async function launch(kind: ServerKind, options: LaunchOptions = {}): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = process.hrtime.bigint();
  const child: ChildProcess = spawn(process.execPath, commandOf(kind, port, options), { cwd: ROOT, stdio: ['ignore', 'ignore', options.gcHook ? 'pipe' : 'ignore'] });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const reports: Array<(line: string) => void> = [];
  if (child.stderr) {
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (line.startsWith('bench-memory ')) reports.shift()?.(line.slice('bench-memory '.length));
    });
  }
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exit;
    clearTimeout(timer);
  };
  try {
    await Promise.race([waitFor200(...healthOf(kind, url)), exit.then(() => Promise.reject(new Error(`${kind} exited before answering: ${commandOf(kind, port, options).join(' ')}`)))]);
  } catch (error) {
    await stop();
    throw error;
  }
  const startMs = elapsedMs(started);
  return {
    kind, url, pid: child.pid!, startMs, stop,
    memory: () => memoryOf(child.pid!),
    gcMemory: () => new Promise((resolve) => {
      reports.push((line) => resolve(JSON.parse(line)));
      child.kill('SIGUSR2');
    }),
  };
}
