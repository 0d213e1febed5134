// What ends a run early, rather than letting it report a wrong key or a dead target as dozens of
// conformance failures: the first request carrying a credential (--token, --basic, --token2,
// --basic2) answered 401 or 403 (the credential is refused: exit 2, "check --token"), and several
// requests in a row that got no answer at all (the target stopped answering). Each sees the
// exchanges as the client completes them (`ClientOptions.observe`) and stops the run through the
// signal the client and the runner share. And after the run: every request answered 404, which
// says more about --target than about the target.
import type { Credentials } from './credentials.ts';
import type { Exchange, RunReport } from './types.ts';

/** Requests in a row without an answer after which the run stops. */
export const SILENT_LIMIT = 3;

export interface RunGuard {
  observe(exchange: Exchange): void;
  /** Why the run was stopped, once it was: which kind of problem, and a sentence for the user. */
  readonly problem: { kind: 'credentials' | 'silent'; message: string } | undefined;
}

export interface GuardOptions {
  credentials: Credentials;
  secondCredentials?: Credentials;
  /** Called once, with the sentence, when the run must stop. */
  stop(problem: string): void;
  /** The variables each flag may come from, named in the advice. */
  env?: Record<string, string>;
}

interface Carried {
  flag: string;
  /** Header or query values that carry it. */
  values: Set<string>;
}

const brief = (exchange: Exchange) => {
  const body = exchange.response?.body.toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 200) ?? '';
  return `${exchange.response?.status}${body ? ` ${body}` : ''}`;
};

const where = (exchange: Exchange) => `${exchange.request.method} ${new URL(exchange.request.url).pathname}`;

export function guardRun(options: GuardOptions): RunGuard {
  const carried: Carried[] = [];
  const add = (flag: string, ...values: string[]) => carried.push({ flag, values: new Set(values) });
  const { credentials: first, secondCredentials: second } = options;
  if (first.token) add('--token', first.token, `Bearer ${first.token}`);
  if (first.basic) add('--basic', `Basic ${Buffer.from(first.basic).toString('base64')}`);
  if (second?.token && second.token !== first.token) add('--token2', second.token, `Bearer ${second.token}`);
  if (second?.basic && second.basic !== first.basic) add('--basic2', `Basic ${Buffer.from(second.basic).toString('base64')}`);
  const unseen = new Set(carried);
  let silent = 0;
  let problem: RunGuard['problem'];

  const stop = (kind: 'credentials' | 'silent', message: string) => {
    if (problem) return;
    problem = { kind, message };
    options.stop(message);
  };

  return {
    get problem() {
      return problem;
    },
    observe(exchange) {
      if (problem) return;
      if (!exchange.response) {
        silent++;
        if (silent >= SILENT_LIMIT) stop('silent', `the target stopped answering: ${SILENT_LIMIT} requests in a row got no answer (the last, ${where(exchange)}: ${exchange.error ?? 'no response'}); the run stopped early`);
        return;
      }
      silent = 0;
      if (unseen.size === 0) return;
      const sent = [...Object.values(exchange.request.headers), ...new URL(exchange.request.url).searchParams.values()];
      const flags = [...unseen].filter((c) => sent.some((value) => c.values.has(value)));
      if (flags.length === 0) return;
      for (const c of flags) unseen.delete(c);
      const status = exchange.response.status;
      if (status !== 401 && status !== 403) return;
      const names = flags.map((c) => c.flag);
      const advice = names.map((flag) => (options.env?.[flag] ? `${flag} (or ${options.env[flag]})` : flag)).join(' and ');
      stop('credentials', `the target refused ${names.join(' and ')}: the first request that carried it, ${where(exchange)}, was answered ${brief(exchange)}; check ${advice}`);
    },
  };
}

/** A note for the report when every request the run made was answered 404: --target is likely not the API's base URL. */
export function everything404(report: RunReport, servers: readonly string[]): string | undefined {
  const answered = report.exchanges.filter((e) => e.response);
  if (answered.length < 3 || answered.some((e) => e.response!.status !== 404)) return undefined;
  const known = servers.length ? ` (the spec's servers: ${servers.join(', ')})` : '';
  return `every request got 404: is --target the API's base URL?${known}`;
}
