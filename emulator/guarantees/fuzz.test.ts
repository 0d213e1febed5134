// Nothing crashes, nothing is lost, nothing leaks: requests generated from every operation of
// every vendor spec (valid ones, and ones breaking one rule the spec states, with the
// conformance runner's generators; some aimed at real resources, finished, running, or made by
// earlier generated requests, and read again once the clock has moved), protocol junk no schema
// describes (bad encodings, wrong content types, oversized targets and headers, deep and huge
// JSON, many multipart parts, truncated bodies, slow senders, Prism's Prefer asked in ways it
// cannot give), and good bodies mutated at random (cut, flipped, spliced, relabelled), sent at
// one emulator in strict mode. Each must be answered (no dropped connection), never with a 5xx
// (strict mode makes any answer the spec does not document for the operation a 500, so this also
// holds every refusal that reached an operation to a documented status and body), every other 4xx
// on a vendor's path must be in that vendor's error envelope (testing/envelopes.ts), and a refused
// request must leave the API's state and the emulator's files as they were (testing/invariants.ts).
//
// Repeatable: SPEECHDOUBLE_FUZZ_SEED (default below) seeds every property, SPEECHDOUBLE_FUZZ_RUNS
// is how many requests each property makes. A failure prints both, fast-check's shrunk input and
// the request as sent. Locally: `SPEECHDOUBLE_FUZZ_SEED=7 SPEECHDOUBLE_FUZZ_RUNS=200 npx vitest run emulator/guarantees/fuzz.test.ts`.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { encodeInput, invalidity, negativeArbitrary, validArbitrary, type GeneratedInput, type NegativeInput } from '../../conformance/generated/requests.ts';
import { operationSeed } from '../../conformance/runner/generated-cases.ts';
import { Referee } from '../../conformance/negative/generate.ts';
import { createSchemaCompiler } from '../../openapi/schemas.ts';
import type { ApiName } from '../../openapi/specs.ts';
import { loadEnvelopes } from './testing/envelopes.ts';
import { Guard } from './testing/invariants.ts';
import { bodyJunk, pathJunk, sharedPathJunk, targetJunk, type Junk } from './testing/junk.ts';
import { credentialed, deepen, exampleFor, loadTargets, toRaw, type Target } from './testing/targets.ts';
import { APIS, DEFAULT_TENANT, makeResources, startWorld, type Party, type Tenant, type World } from './testing/world.ts';

const SEED = Number(process.env.SPEECHDOUBLE_FUZZ_SEED ?? 20260105);
const RUNS = Number(process.env.SPEECHDOUBLE_FUZZ_RUNS ?? 10);
const REPLAY = `SPEECHDOUBLE_FUZZ_SEED=${SEED} SPEECHDOUBLE_FUZZ_RUNS=${RUNS}`;
/** SPEECHDOUBLE_FUZZ_ALL=1: every failure of a test is reported at its end, instead of the first alone (for hunting). */
const ALL = process.env.SPEECHDOUBLE_FUZZ_ALL === '1';
/** Per test: the defaults take a few seconds each; larger runs need more. */
const TIMEOUT = Number(process.env.SPEECHDOUBLE_FUZZ_TIMEOUT_MS ?? 120_000);

let world: World;
let targets: Target[];
let guard: Guard;
/** The tenant that sends megabytes: what it keeps stays out of every other read. */
const BIG: Tenant = { key: 'guarantees-big', basic: 'big:pass' };
let big: Party;
/** Ids the generated requests' successful POSTs made, by path parameter: later requests aim at them too. */
const made = new Map<string, string[]>();

beforeAll(async () => {
  const [started, loaded, envelopes] = await Promise.all([startWorld({ apiKeys: [BIG.key, BIG.basic] }), loadTargets(), loadEnvelopes()]);
  [world, targets] = [started, loaded];
  big = { tenant: BIG, resources: await makeResources(world.client, BIG) };
  guard = new Guard(world, () => `replay: ${REPLAY} npx vitest run emulator/guarantees/fuzz.test.ts`, envelopes);
});
afterAll(async () => {
  console.log(`fuzz: ${guard?.sent ?? 0} requests (${REPLAY})`);
  await world?.close();
});

const compile = createSchemaCompiler();
const referee = new Referee();

/** What a create answered with, by the path parameter that names it elsewhere. */
function adopt(target: Target, body: Buffer): void {
  const param = { createJob: target.api === 'cadence' ? 'job_id' : 'jobid', createTranscript: 'transcript_id', createPreRecordedJob: 'id', createClient: 'client_id', createRoom: 'room_id' }[target.operationId];
  if (!param) return;
  try {
    const value = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const id = [value, value.response].map((holder) => (holder as Record<string, unknown> | undefined)?.[target.api === 'cadence' ? 'job_id' : 'id']).find((v) => typeof v === 'string') as string | undefined;
    if (id) made.set(param, [...(made.get(param) ?? []).slice(-4), id]);
  } catch {
    // An answer without an id made nothing to aim at.
  }
}

/**
 * The real path parameter values a request may aim at: the world's finished and running
 * resources, and what generated POSTs made (`madeOnly`: those alone, for a DELETE that may delete).
 */
function fixedSets(target: Target, madeOnly = false): Array<Record<string, string>> {
  const sets = madeOnly ? [] : [world.resources.done, world.resources.running];
  for (const [param, ids] of made) for (const id of ids) if (target.op.path.includes(`{${param}}`)) sets.push({ ...world.resources.done, [param]: id });
  // Only the parameters the operation has; the others would be ignored anyway.
  const names = [...target.op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const unique = new Map(sets.map((set) => [JSON.stringify(names.map((n) => set[n])), Object.fromEntries(names.flatMap((n) => (set[n] === undefined ? [] : [[n, set[n]]])))]));
  return [...unique.values()];
}

async function property(target: Target, negative: boolean, madeOnly = false): Promise<void> {
  const sets = fixedSets(target, madeOnly);
  if (sets.length === 0) return;
  // A DELETE's valid requests are aimed at made-up ids, or at what generated POSTs made: they
  // delete none of the resources the others aim at.
  const fixedArb = target.op.method === 'delete' && !negative && !madeOnly ? fc.constant<Record<string, string>>({}) : fc.constantFrom(...sets);
  const negatives = negative ? negativeArbitrary(target.model, sets[0]!, referee) : undefined;
  if (negative && !negatives) return;
  const inputs: fc.Arbitrary<{ input: GeneratedInput; broken?: NegativeInput }> = fixedArb.chain((fixed) => (negative
    ? negativeArbitrary(target.model, fixed, referee)!.arbitrary.map((value) => ({ input: value.input, broken: value }))
    : validArbitrary(target.model, fixed).map((input) => ({ input }))));
  const seed = operationSeed(SEED, `${target.api}.${target.operationId}`, negative);
  const started = performance.now();
  const sentBefore = guard.sent;
  await fc.assert(fc.asyncProperty(inputs, fc.boolean(), async ({ input, broken }, aim) => {
    fc.pre(broken ? negatives!.refused(broken) : invalidity(target.model, input, compile) === undefined);
    // A broken input is sent as it is: deepening it could mend the very place it breaks.
    const encoded = credentialed(target, encodeInput(target.model, input));
    const request = broken ? encoded : deepen(target, encoded, world.resources, DEFAULT_TENANT, aim);
    const { answer, status } = await guard.check(target.api, toRaw(request), { refuse: negative });
    if (status >= 200 && status < 300 && target.op.method === 'post' && answer.kind === 'response') adopt(target, answer.body);
  }), { seed, numRuns: RUNS, maxSkipsPerRun: 100 }).catch((error: Error) => {
    // fast-check keeps the property's own error as the cause: its message is the request and what went wrong.
    const cause = error.cause instanceof Error ? `\n${error.cause.message}` : '';
    error.message = `${target.api} ${target.op.method.toUpperCase()} ${target.op.path} (${target.operationId}), ${negative ? 'breaking one rule' : 'valid'}; ${REPLAY}\n${error.message}${cause}`;
    if (!ALL) throw error;
    failures.push(error);
  });
  if (ALL) console.log(`${target.api} ${target.operationId} ${negative ? 'negative' : 'valid'}: ${guard.sent - sentBefore} requests, ${Math.round(performance.now() - started)} ms`);
}

describe('generated requests, valid and breaking one rule, on every operation of every spec', () => {
  for (const api of APIS) {
    it(api, () => collecting(async () => {
      const mine = targets.filter((t) => t.api === api);
      for (const target of mine) {
        await property(target, false);
        await property(target, true);
      }
      // Time moves: what the valid requests made runs (fetches, processing, callbacks), and the reads aim at it done.
      const advanced = performance.now();
      await world.client.advance(3600);
      if (ALL) console.log(`${api}: advancing the clock an hour took ${Math.round(performance.now() - advanced)} ms`);
      guard.forget();
      for (const target of mine.filter((t) => t.op.method === 'get' && t.op.path.includes('{'))) await property(target, false);
      for (const target of mine.filter((t) => t.op.method === 'delete')) await property(target, false, true);
    }), TIMEOUT);
  }
});

describe('protocol junk at every API', () => {
  // A DELETE's junk aims at the spare resources: a junk request may well be a good one, and delete.
  const goodRequest = (target: Target, party = world.main) => toRaw(exampleFor(target, (target.op.method === 'delete' && party === world.main ? world.spare : party.resources).done, party.resources, party.tenant));
  const options = (junk: Junk) => ({ truncated: junk.truncated ?? false, pipelined: junk.pipelined ?? false });

  for (const api of APIS) {
    it(`${api}: targets and headers`, () => collecting(async () => {
      for (const target of targets.filter((t) => t.api === api)) {
        for (const junk of targetJunk(target, goodRequest(target))) await guard.check(api, junk.request, options(junk)).catch(named(target, junk.name));
      }
      for (const target of targets.filter((t, i, all) => t.api === api && all.findIndex((o) => o.op.path === t.op.path) === i)) {
        for (const junk of pathJunk(goodRequest(target))) await guard.check(api, junk.request, options(junk)).catch(named(target, junk.name));
      }
    }), TIMEOUT);
    it(`${api}: bodies`, () => collecting(async () => {
      for (const target of targets.filter((t) => t.api === api && t.model.body)) {
        for (const junk of bodyJunk(target, goodRequest(target)).filter((j) => !j.big)) await guard.check(api, junk.request, options(junk)).catch(named(target, junk.name));
        for (const junk of bodyJunk(target, goodRequest(target, big)).filter((j) => j.big)) await guard.check(api, junk.request, { ...options(junk), party: big }).catch(named(target, junk.name));
      }
    }), TIMEOUT);
  }

  it('both vendors\' credentials on the path both serve', () => collecting(async () => {
    for (const api of ['assemblyai', 'gladia'] as ApiName[]) {
      const target = targets.find((t) => t.api === api && t.op.path === '/v2/upload')!;
      for (const junk of sharedPathJunk(goodRequest(target))) await guard.check(api, junk.request).catch(named(target, junk.name));
    }
  }), TIMEOUT);
});

describe('mutated bodies: a good request\'s bytes cut, flipped, spliced, relabelled', () => {
  const TYPES = ['application/json', 'multipart/form-data; boundary=speechdouble-generated-boundary', 'multipart/form-data; boundary=----speechdouble-example', 'application/x-www-form-urlencoded', 'application/octet-stream', 'audio/wav', 'text/plain', ''];
  const ENCODINGS = ['', '', '', 'gzip', 'deflate', 'br', 'identity', 'gzip, identity'];
  /** One change to a good request's body and labels, as fast-check picks it. */
  const mutation = fc.record({
    cut: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
    flips: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
    splice: fc.option(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.uint8Array({ minLength: 1, maxLength: 40 })), { nil: undefined }),
    type: fc.option(fc.constantFrom(...TYPES), { nil: undefined }),
    encoding: fc.constantFrom(...ENCODINGS),
  });

  for (const api of APIS) {
    it(api, () => collecting(async () => {
      for (const target of targets.filter((t) => t.api === api && t.model.body)) {
        const good = toRaw(exampleFor(target, world.resources.done, world.resources));
        const body = good.body ?? Buffer.alloc(0);
        await fc.assert(fc.asyncProperty(mutation, async ({ cut, flips, splice, type, encoding }) => {
          let bytes = Buffer.from(body);
          if (cut !== undefined) bytes = bytes.subarray(0, Math.floor(bytes.length * cut));
          for (const [at, value] of flips) if (bytes.length) bytes[Math.floor(at * bytes.length)] = value;
          if (splice) {
            const at = Math.floor(splice[0] * bytes.length);
            bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(splice[1]), bytes.subarray(at)]);
          }
          const headers = good.headers.filter(([name]) => !(type !== undefined && name.toLowerCase() === 'content-type'));
          if (type) headers.push(['content-type', type]);
          if (encoding) headers.push(['content-encoding', encoding]);
          await guard.check(api, { ...good, headers, body: bytes });
        }), { seed: operationSeed(SEED, `${api}.${target.operationId}.mutated`, false), numRuns: RUNS }).catch((error: Error) => {
          const cause = error.cause instanceof Error ? `\n${error.cause.message}` : '';
          error.message = `${api} ${target.operationId}, a mutated body; ${REPLAY}\n${error.message}${cause}`;
          if (!ALL) throw error;
          failures.push(error);
        });
      }
    }), TIMEOUT);
  }
});

const failures: Error[] = [];

const named = (target: Target, name: string) => (error: Error) => {
  error.message = `${target.api} ${target.operationId}: ${name}\n${error.message}`;
  if (!ALL) throw error;
  failures.push(error);
};

/** Runs `body`; in SPEECHDOUBLE_FUZZ_ALL mode, with every failure it collected thrown together at the end. */
async function collecting(body: () => Promise<void>): Promise<void> {
  failures.length = 0;
  await body();
  if (failures.length) throw new Error(`${failures.length} failures:\n\n${failures.map((f) => f.message).join('\n\n---\n\n')}`);
}
