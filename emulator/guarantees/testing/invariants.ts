// The guarantees every request is held to, whatever it carries: an answer arrives (the
// connection is not dropped), it is not a 5xx (in strict mode, an answer the spec does not
// document for the operation is a 500 too), and a refused request (4xx) leaves the API's state
// and the emulator's files as they were. Snapshots are kept per API and taken again only after
// a request that may have changed something (a 2xx), so most requests cost one more read at most.
import type { Envelope } from './envelopes.ts';
import { describeRaw, rawRequest, type RawAnswer, type RawRequest } from './raw-http.ts';
import { snapshot, snapshotDifference, type Party, type Snapshot, type World } from './world.ts';
import type { ApiName } from '../../../openapi/specs.ts';


export class GuaranteeBroken extends Error {
  override readonly name = 'GuaranteeBroken';
}

const showAnswer = (answer: RawAnswer) => (answer.kind === 'response'
  ? `${answer.status} ${JSON.stringify(answer.headers)}\n  ${answer.body.subarray(0, 600).toString('utf8')}`
  : `${answer.kind}${answer.kind === 'dropped' ? ` (${answer.reason})` : ''} after ${answer.received.length} bytes: ${answer.received.subarray(0, 300).toString('latin1')}`);

export interface Checked {
  answer: RawAnswer;
  status: number;
}

export interface CheckOptions {
  /** The request is meant to be refused (it breaks a rule of the spec): only a 4xx will do. */
  refuse?: boolean;
  /** The client closes before its body is sent: no answer is owed, but nothing may be left behind. */
  truncated?: boolean;
  /**
   * More than one request on the wire (a body longer than its Content-Length: the rest is read
   * as a next request, which HTTP cannot parse): only "no 5xx" holds, since the first may have
   * been a good request that changed state.
   */
  pipelined?: boolean;
  /** Whose state the request may change: the main tenant's unless said. */
  party?: Party;
}

export class Guard {
  /** By API and tenant key. */
  private readonly snapshots = new Map<string, Snapshot>();
  /** Requests sent through the guard (snapshots' reads not counted). */
  sent = 0;

  /** Requests the emulator is answering now (one whose head Node refused never gets there). */
  private pending = 0;

  constructor(private readonly world: World, private readonly context: () => string = () => '', private readonly envelopes?: Map<ApiName, Envelope>) {
    // The host calls `emulator.handle` for every request; its promise settles once the answer is
    // made and every file the request wrote is kept or gone. Watching it tells when the emulator
    // is done with a request whose answer never came (the client left, Node refused the framing).
    const { emulator } = world.server;
    const handle = emulator.handle.bind(emulator);
    emulator.handle = (request) => {
      this.pending++;
      return handle(request).finally(() => this.pending--);
    };
  }

  private async before(api: ApiName, party: Party): Promise<Snapshot> {
    const key = `${api} ${party.tenant.key}`;
    let known = this.snapshots.get(key);
    if (!known) this.snapshots.set(key, (known = await snapshot(this.world, api, party)));
    return known;
  }

  /** Something outside the guard changed state (a clock advance): every snapshot is taken again. */
  forget(): void {
    this.snapshots.clear();
  }

  private fail(request: RawRequest, answer: RawAnswer | undefined, problem: string): never {
    // Whatever went wrong may have changed state: the next request starts from a fresh snapshot.
    this.snapshots.clear();
    const context = this.context();
    throw new GuaranteeBroken(`${problem}\nrequest:\n  ${describeRaw(request)}${answer ? `\nanswer:\n  ${showAnswer(answer)}` : ''}${context ? `\n${context}` : ''}`);
  }

  /** Sends `request` (for `api`'s state) and holds its answer to the guarantees. */
  async check(api: ApiName, request: RawRequest, options: CheckOptions = {}): Promise<Checked> {
    const party = options.party ?? this.world.main;
    const before = await this.before(api, party);
    this.sent++;
    const answer = await rawRequest(this.world.client.base, request);
    if (options.truncated) {
      // No answer is owed to a client that left; what it sent must still be gone from disk.
      const after = await this.settled(api, party, before);
      const difference = snapshotDifference(before, after);
      if (difference) this.fail(request, answer, `a request cut short changed state or left files:\n  ${difference}`);
      if (answer.kind === 'response' && answer.status >= 500) this.fail(request, answer, `a request cut short was answered ${answer.status}`);
      return { answer, status: answer.kind === 'response' ? answer.status : 0 };
    }
    if (answer.kind !== 'response') this.fail(request, answer, 'no answer: the connection was dropped (or timed out) though no fault asked for it');
    // A request that was not refused may have changed anything: files are every API's, so every snapshot goes.
    if (answer.status < 400) this.snapshots.clear();
    if (answer.status >= 500) this.fail(request, answer, `a ${answer.status}`);
    if (options.pipelined) {
      // The first request may have been a good one, answered after Node's 400 for what followed it
      // (and that answer lost): its work is waited for, whatever it changed is the new state.
      await this.emulatorDone();
      this.snapshots.clear();
      return { answer, status: answer.status };
    }
    if (options.refuse && !(answer.status >= 400 && answer.status < 500)) this.fail(request, answer, `a request breaking a rule of the spec was not refused with a 4xx (${answer.status})`);
    if (answer.status >= 400) {
      const offEnvelope = this.offEnvelope(api, request, answer);
      if (offEnvelope) this.fail(request, answer, `a ${answer.status} not in ${api}'s error envelope: ${offEnvelope}`);
      // Files a refused request wrote are removed before its answer goes out: no waiting here. But
      // an answer without Date is Node's own (a body whose framing breaks after the headers): the
      // emulator may still be reading that request, and is waited for.
      const after = answer.headers.date === undefined ? await this.settled(api, party, before) : await snapshot(this.world, api, party);
      const difference = snapshotDifference(before, after);
      if (difference) this.fail(request, answer, `a refused request (${answer.status}) changed state:\n  ${difference}`);
    }
    return { answer, status: answer.status };
  }

  /**
   * Why a 4xx the emulator gave on one of the API's own paths is in none of its error schemas.
   * Not judged:
   * - what the host answered before the emulator saw the request (Node's refusals, which carry
   *   no Date, and the host's limits, 414 and 431, dated by the wall clock, not the emulated one):
   *   it knows no vendor;
   * - Prism's problems (`application/problem+json`): a documented response asked for in a way
   *   Prism cannot give, answered as Prism answers it;
   * - the emulator's refusal to guess between two vendors on the path both serve
   *   (`ambiguous_credentials`): it is no one vendor's to give;
   */
  private offEnvelope(api: ApiName, request: RawRequest, answer: Extract<RawAnswer, { kind: 'response' }>): string | undefined {
    const envelope = this.envelopes?.get(api);
    const path = request.target.split('?')[0]!;
    const type = answer.headers['content-type'] ?? '';
    const emulated = new Date(this.world.server.emulator.clock.nowMs()).toUTCString();
    // A HEAD's answer has no body to judge.
    if (!envelope || request.method.toUpperCase() === 'HEAD' || answer.headers.date !== emulated || /problem\+json/.test(type) || !envelope.owns(path)) return undefined;
    let body: unknown;
    try {
      body = JSON.parse(answer.body.toString('utf8'));
    } catch {
      return `not JSON (${type || 'no content type'})`;
    }
    const error = (body as { error?: unknown } | null)?.error;
    if (error === 'ambiguous_credentials') return undefined;
    return envelope.problem(body);
  }

  /** Waits (2 s at most) until the emulator is answering no request. */
  private async emulatorDone(): Promise<void> {
    for (let waited = 0; waited < 2000 && this.pending > 0; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** The state once the emulator is done with a request whose answer was not its own (the client left, or Node refused the framing). */
  private async settled(api: ApiName, party: Party, before: Snapshot): Promise<Snapshot> {
    await this.emulatorDone();
    return snapshot(this.world, api, party);
  }
}
