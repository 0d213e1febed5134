// Waiting for the target's time stops with the run: a `ctx.time.until` in progress when the run
// is stopped (Ctrl-C, credentials refused, the target stopped answering) ends at once with a
// SkipStep giving the reason, and the wait it abandons never calls its condition again. Once the
// run has stopped, the clean-up's waits run as they are (its requests are bounded by the client).
import { reasonOf } from '../client.ts';
import { SkipStep, type TimeControl } from '../scenario.ts';

export function stoppable(time: TimeControl, signal: AbortSignal | undefined): TimeControl {
  if (!signal) return time;
  return {
    controllable: time.controllable,
    ...(time.scope && { scope: time.scope }),
    ...(time.refused && { refused: time.refused }),
    advance: (seconds) => time.advance(seconds),
    now: () => time.now(),
    until(condition, maxSeconds) {
      if (signal.aborted) return time.until(condition, maxSeconds);
      let abandoned = false;
      const guarded = () => (abandoned ? Promise.reject(new SkipStep(reasonOf(signal))) : condition());
      return new Promise<boolean>((resolve, reject) => {
        const onAbort = () => {
          abandoned = true;
          reject(new SkipStep(reasonOf(signal)));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        time.until(guarded, maxSeconds).then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
      });
    },
  };
}
