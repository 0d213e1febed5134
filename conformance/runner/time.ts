// Time, as the target allows it. Against a target that answers GET /__emulator/clock the
// runner advances that clock instead of waiting; against anything else it polls with backoff
// within --timeout, and steps that need days of time are skipped with the reason.
//
// An emulator that keeps a clock per tenant (speechdouble: `X-Speechdouble-Tenant`) has the
// runner move only the clocks of the credentials it uses, so a run against a shared emulator
// moves no one else's jobs through its week of retention. Without one, the one clock moves.
import { SkipStep, type TimeControl } from '../scenario.ts';

const TENANT_HEADER = 'x-speechdouble-tenant';

/**
 * `requestTimeoutMs` bounds each request to the control API (--request-timeout; the first, which
 * asks whether there is one, 5 s at most); `headers` go with each (-H, the control token). `tenants` are the
 * credentials the run sends (as the emulator names tenants: the key, or `user:password`).
 */
export async function detectTime(target: string, timeoutSeconds: number, requestTimeoutMs = 30_000, headers: Record<string, string> = {}, tenants: string[] = []): Promise<TimeControl> {
  const base = target.replace(/\/+$/, '');
  const own = [...new Set(tenants.filter((tenant) => tenant !== ''))];
  const tenantHeaders = (tenant: string | undefined) => (tenant === undefined ? headers : { ...headers, [TENANT_HEADER]: tenant });
  let controllable = false;
  let scope: 'global' | 'tenant' = 'global';
  let refused: number | undefined;
  try {
    const res = await fetch(`${base}/__emulator/clock`, { headers: tenantHeaders(own[0]), signal: AbortSignal.timeout(Math.min(requestTimeoutMs, 5000)) });
    if (res.status === 401 || res.status === 403) refused = res.status;
    const body = res.ok ? ((await res.json()) as { mode?: string; scope?: string }) : undefined;
    controllable = typeof body?.mode === 'string';
    if (controllable && own.length > 0 && body?.scope === 'tenant') scope = 'tenant';
  } catch {
    controllable = false;
  }
  // Each of the run's tenants moves by the same amount, so their clocks stay together.
  const whose = scope === 'tenant' ? own : [undefined];
  const advance = async (seconds: number) => {
    if (!controllable) throw new SkipStep(`needs ${seconds} s of the target's time, and the target has no controllable clock`);
    for (const tenant of whose) {
      const res = await fetch(`${base}/__emulator/clock/advance`, { method: 'POST', headers: { ...tenantHeaders(tenant), 'content-type': 'application/json' }, body: JSON.stringify({ seconds }), signal: AbortSignal.timeout(requestTimeoutMs) });
      if (!res.ok) throw new Error(`advancing the target's clock failed: ${res.status}`);
    }
  };
  return {
    controllable,
    ...(controllable && { scope }),
    ...(refused && { refused }),
    advance,
    async now() {
      if (!controllable) return undefined;
      const body = (await (await fetch(`${base}/__emulator/clock`, { headers: tenantHeaders(whose[0]), signal: AbortSignal.timeout(requestTimeoutMs) })).json()) as { now: string };
      return new Date(body.now);
    },
    async until(condition, maxSeconds) {
      if (controllable) {
        // Small steps first, so a fast target is seen at its own pace.
        let spent = 0;
        for (let step = 0.5; ; step = Math.min(step * 2, 60)) {
          if (await condition()) return true;
          if (spent >= maxSeconds) return false;
          await advance(Math.min(step, maxSeconds - spent));
          spent += step;
        }
      }
      const deadline = Date.now() + Math.min(maxSeconds, timeoutSeconds) * 1000;
      for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
        if (await condition()) return true;
        if (Date.now() + delay > deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    },
  };
}
