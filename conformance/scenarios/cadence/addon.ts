// The Twilio add-on end to end: requests as Twilio sends them (multipart, HTTP basic, a real
// recording), and the results the target POSTs back to the runner's loopback receiver.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodeMultipart, type FormField } from '../../../openapi/multipart-encoding.ts';
import { mediaTypeOf, SkipStep, type Call, type CallbackReceiver, type ReceivedCall, type Scenario, type ScenarioContext } from '../../scenario.ts';
import { LOCAL_ONLY } from '../media-host.ts';
import { inOrder, loadPdf, pdfText, readMultipart, wavFormat, wordsOf, type Multipart } from './addon-parts.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../../fixtures/audio/${name}`, import.meta.url));

/** Real speech (the recording every journey uses), and what is true of it (the fixture's own description). */
export const SPEECH = readFileSync(fixture('en-greeting.16k.wav'));
export const SPEECH_TEXT: string = JSON.parse(readFileSync(fixture('en-greeting.json'), 'utf8')).text;
/** How far a voice-over's length may be from the recording's (decoders round differently). */
const DURATION_TOLERANCE = 0.05;

/** Cadence's documented User-Agent on callbacks. */
const USER_AGENT = 'cadencetranscription/v/0.1';
/** A target's processing time, and a callback's delivery, within a few minutes of its clock. */
const CALLBACK_BUDGET_SECONDS = 300;
/** How long a second callback for a repeated request_sid is waited for, in target time. */
const REPEAT_WAIT_SECONDS = 60;

/** The callback, as the spec documents it under the operation (JSON pointer: `/` in a key is `~1`). */
const CALLBACK_POINTER = '#/paths/~1cadence~1twilio/post/callbacks/addonResult/{$request.body#~1callback_url}/post';
const FORM_POINTER = '#/components/schemas/TwilioCallbackForm';

/** Twilio's request sid: `XR` and 32 hex digits, new for every request of every run. */
const newSid = () => `XR${randomBytes(16).toString('hex')}`;

interface AddonFields {
  request_sid: string;
  callback_url: string;
  requested_service?: 'transcription' | 'translation';
  source_language: string[];
  target_language?: string;
}

/** The request as Twilio sends it: the required fields, the recording, and its metadata; source_language repeated. */
function addonForm(fields: AddonFields): { body: Buffer; contentType: string } {
  const parts: FormField[] = [
    { name: 'request_sid', value: fields.request_sid },
    { name: 'callback_url', value: fields.callback_url },
    { name: 'audio_data', value: SPEECH, filename: 'recording.wav', contentType: 'audio/x-wav' },
    ...(fields.requested_service ? [{ name: 'requested_service', value: fields.requested_service }] : []),
    ...fields.source_language.map((code) => ({ name: 'source_language', value: code })),
    ...(fields.target_language ? [{ name: 'target_language', value: fields.target_language }] : []),
    { name: 'channels', value: '1' },
    { name: 'duration', value: String(Math.round(wavFormat(SPEECH)!.seconds * 1000)) },
    { name: 'format', value: 'audio/x-wav' },
    { name: 'size', value: String(SPEECH.length) },
  ];
  const boundary = `speechdouble-${randomBytes(12).toString('hex')}`;
  return { body: encodeMultipart(parts, boundary), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function submit(ctx: ScenarioContext, fields: AddonFields, headers: Record<string, string> = {}): Promise<Call> {
  const { body, contentType } = addonForm(fields);
  return ctx.call('submitTwilioAddonRequest', { body, headers: { 'content-type': contentType, ...headers } });
}

function expectAccepted(ctx: ScenarioContext, call: Call, what: string): void {
  const bytes = call.exchange.response?.body.length ?? 0;
  ctx.expect(call.status === 202 && bytes === 0, { message: `${what} was not accepted with 202 and an empty body`, expected: '202, no body', received: `${call.status}, ${bytes} bytes ${call.text().slice(0, 300)}`, call, pointer: `${ctx.pointerOf('submitTwilioAddonRequest')}/responses/202` });
}

/** The add-on's error body `{status: "error", message}`. */
function expectAddonError(ctx: ScenarioContext, call: Call, status: number, what: string): void {
  ctx.expect(call.status === status, { message: `${what} did not answer ${status}`, expected: String(status), received: `${call.status} ${call.text().slice(0, 300)}`, call });
  const body = call.json<{ status?: unknown; message?: unknown } | undefined>();
  ctx.expect(body?.status === 'error' && typeof body.message === 'string' && body.message !== '', { message: `${what}: the answer is not the add-on's error body`, expected: '{status: "error", message: "…"}', received: call.text().slice(0, 300), call, pointer: '#/components/schemas/AddonError' });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits (moving the target's clock when it can) until the receiver has more than `after` calls on `path`, or
 * `seconds` of target time pass. A moved clock runs out in a moment of real time, while the
 * work it sets off (decoding, transcribing, rendering) and the delivery take real time: so,
 * with a moved clock, up to `graceMs` more of real time.
 */
async function arrivals(ctx: ScenarioContext, receiver: CallbackReceiver, path: string, options: { after?: number; seconds?: number; graceMs?: number } = {}): Promise<ReceivedCall[]> {
  const { after = 0, seconds = CALLBACK_BUDGET_SECONDS, graceMs = 15_000 } = options;
  const on = () => receiver.calls.filter((c) => c.url.pathname === path);
  const arrived = () => on().length > after;
  // Delivery is real HTTP: give it real moments even while the clock is moved.
  const came = await ctx.time.until(async () => arrived() || (await sleep(50), arrived()), seconds);
  if (!came && ctx.time.controllable) for (const until = Date.now() + graceMs; !arrived() && Date.now() < until;) await sleep(100);
  // A second delivery would come soon after the first; give it a moment.
  await sleep(200);
  return on();
}

interface Outcome {
  call: ReceivedCall;
  form: Multipart;
}

/**
 * One POST to `path`: multipart, Cadence's User-Agent, basic credentials, and the fields
 * `request_sid`, `status` and `message` (empty on success, the reason on error).
 */
async function expectOneCallback(ctx: ScenarioContext, receiver: CallbackReceiver, path: string, sid: string, status: 'ok' | 'error'): Promise<Outcome> {
  const calls = await arrivals(ctx, receiver, path);
  ctx.expect(calls.length === 1, { message: calls.length ? 'The result was called back more than once' : 'No callback arrived', expected: `one POST ${receiver.url(path)}`, received: calls.length ? calls.map((c) => `${c.method} ${c.url.pathname}`).join(', ') : `${receiver.calls.length} calls elsewhere: ${receiver.calls.map((c) => `${c.method} ${c.url.pathname}`).join(', ')}`, pointer: CALLBACK_POINTER });
  const call = calls[0]!;
  ctx.expect(call.method === 'POST', { message: 'The callback used the wrong method', expected: 'POST', received: call.method, pointer: CALLBACK_POINTER });
  const type = mediaTypeOf(call.headers['content-type']);
  const form = type === 'multipart/form-data' ? await readMultipart(call.headers, call.body).catch(() => undefined) : undefined;
  ctx.expect(form !== undefined, { message: 'The callback body is not multipart/form-data', expected: 'multipart/form-data with request_sid, status and message', received: `${type || 'no content type'} ${call.body.toString('latin1').slice(0, 200)}`, pointer: `${CALLBACK_POINTER}/requestBody` });
  const fields = { request_sid: form!.fields.request_sid, status: form!.fields.status, message: form!.fields.message };
  const message = fields.message?.[0];
  const sound = fields.request_sid?.length === 1 && fields.request_sid[0] === sid && fields.status?.length === 1 && fields.status[0] === status
    && fields.message?.length === 1 && (status === 'ok' ? message === '' : typeof message === 'string' && message !== '');
  ctx.expect(sound, { message: `The callback does not report the request as ${status}`, expected: JSON.stringify({ request_sid: [sid], status: [status], message: status === 'ok' ? [''] : ['the reason'] }), received: JSON.stringify(fields), pointer: FORM_POINTER });
  const agent = call.headers['user-agent'];
  ctx.expect(agent === USER_AGENT, { message: 'The callback does not carry Cadence\'s User-Agent', expected: USER_AGENT, received: String(agent), pointer: `${CALLBACK_POINTER}/parameters` });
  const auth = /^Basic ([A-Za-z0-9+/=]+)$/.exec(String(call.headers.authorization ?? ''))?.[1];
  ctx.expect(auth !== undefined && Buffer.from(auth, 'base64').toString('utf8').includes(':'), { message: 'The callback carries no HTTP basic credentials', expected: 'Authorization: Basic base64(user:password)', received: String(call.headers.authorization ?? 'no Authorization header'), pointer: '#/components/securitySchemes/callbackBasicAuth' });
  return { call, form: form! };
}

/** The single file part `name`, typed and named as the spec's encoding has it. */
function expectFile(ctx: ScenarioContext, outcome: Outcome, name: 'transcription' | 'translation', contentType: string, filename: string) {
  const files = outcome.form.files.filter((f) => f.name === name);
  const described = outcome.form.files.map((f) => `${f.name} (${f.filename}, ${f.contentType}, ${f.data.length} bytes)`).join(', ') || 'no files';
  ctx.expect(files.length === 1 && files[0]!.contentType === contentType && files[0]!.filename === filename, { message: `The callback does not attach the ${name} as documented`, expected: `one file part ${name}: ${filename}, ${contentType}`, received: described, pointer: `${FORM_POINTER}/properties/${name}` });
  return files[0]!.data;
}

export const addon: Scenario = {
  name: 'twilio-addon',
  title: 'Twilio add-on: requests as Twilio sends them, refusals, and the multipart results called back to this machine',
  async run(ctx) {
    const elsewhere = (sid: string) => `https://callbacks.speechdouble.test/cadence/${sid}`;
    const credentials = await ctx.step('a request without target_language is refused: 400 {status: "error", message}', async () => {
      const sid = newSid();
      const call = await submit(ctx, { request_sid: sid, callback_url: elsewhere(sid), requested_service: 'transcription', source_language: ['en'] });
      const basic = /^Basic (.+)$/.exec(call.exchange.request.headers.authorization ?? '')?.[1];
      if (!basic) throw new SkipStep('needs the add-on\'s basic credentials (--basic)');
      expectAddonError(ctx, call, 400, 'A request without target_language');
      return Buffer.from(basic, 'base64').toString('utf8');
    });
    await ctx.step('wrong basic credentials are refused: 401 with WWW-Authenticate: Basic', async () => {
      const sid = newSid();
      const user = credentials.slice(0, credentials.indexOf(':'));
      const wrong = `Basic ${Buffer.from(`${user}:not-${credentials.slice(credentials.indexOf(':') + 1)}`).toString('base64')}`;
      const call = await submit(ctx, { request_sid: sid, callback_url: elsewhere(sid), requested_service: 'transcription', source_language: ['en'], target_language: 'en' }, { authorization: wrong });
      expectAddonError(ctx, call, 401, 'A request with the right user and a wrong password');
      const challenge = call.exchange.response?.headers['www-authenticate'] ?? '';
      ctx.expect(/^Basic\b/i.test(challenge), { message: 'The 401 does not challenge for basic credentials', expected: 'WWW-Authenticate: Basic …', received: challenge ? `WWW-Authenticate: ${challenge}` : 'no WWW-Authenticate header', call, pointer: '#/components/responses/AddonUnauthorized/headers/WWW-Authenticate' });
    });

    const receiver = await ctx.receiver();
    const path = (sid: string) => `/cadence/callback/${sid}`;
    const transcription = await ctx.step('a transcription request (a WAV recording, source_language en and de, target en) is accepted: 202 with an empty body', async () => {
      if (!ctx.targetIsLocal) throw new SkipStep(`${LOCAL_ONLY}, and the callbacks come to a receiver there`);
      const sid = newSid();
      const fields: AddonFields = { request_sid: sid, callback_url: receiver.url(path(sid)), requested_service: 'transcription', source_language: ['en', 'de'], target_language: 'en' };
      expectAccepted(ctx, await submit(ctx, fields), 'A transcription request');
      return { fields, submittedAt: Date.now() };
    });
    const outcome = await ctx.step('its result is called back once: multipart with its request_sid, status ok, an empty message, Cadence\'s User-Agent and basic credentials', async () => {
      const result = await expectOneCallback(ctx, receiver, path(transcription.fields.request_sid), transcription.fields.request_sid, 'ok');
      return { ...result, tookMs: Date.now() - transcription.submittedAt };
    });
    const pdf = await ctx.step('the transcription part is a PDF (transcription.pdf, application/pdf) that loads with at least one page', async () => {
      const bytes = expectFile(ctx, outcome, 'transcription', 'application/pdf', 'transcription.pdf');
      const loaded = bytes.subarray(0, 5).toString('latin1') === '%PDF-' ? await loadPdf(bytes) : { error: `it starts with ${JSON.stringify(bytes.subarray(0, 8).toString('latin1'))}, not %PDF-` };
      const pages = 'document' in loaded ? loaded.document.getPageCount() : 0;
      ctx.expect('document' in loaded && pages >= 1, { message: 'The transcription is not a PDF with pages', expected: 'a PDF that loads, with at least one page', received: 'error' in loaded ? loaded.error : `${pages} pages`, pointer: `${FORM_POINTER}/properties/transcription` });
      return 'document' in loaded ? loaded.document : undefined;
    });
    await ctx.step('the PDF holds the recording\'s words, in order', async () => {
      // speechdouble transcribes the fixture to its known words and sets them in a standard font,
      // whose text the runner reads from the page content; a vendor's PDF may embed fonts with
      // their own encodings (a full extractor is not among the runner's dependencies), and its
      // transcript need not match the fixture word for word.
      if (!ctx.time.controllable) throw new SkipStep('checked against speechdouble only: reading any PDF\'s text needs a full text extractor, and a vendor\'s words may differ from the fixture\'s', { goOn: true });
      const words = wordsOf(pdfText(pdf!));
      ctx.expect(inOrder(wordsOf(SPEECH_TEXT), words), { message: 'The transcription does not hold the recording\'s words', expected: SPEECH_TEXT, received: words.join(' ').slice(0, 400), pointer: `${CALLBACK_POINTER}/description` });
    });
    await ctx.step('a translation request (en into de) calls back a translation part: a 16-bit PCM mono WAV as long as the recording', async () => {
      const sid = newSid();
      expectAccepted(ctx, await submit(ctx, { request_sid: sid, callback_url: receiver.url(path(sid)), requested_service: 'translation', source_language: ['en'], target_language: 'de' }), 'A translation request');
      const result = await expectOneCallback(ctx, receiver, path(sid), sid, 'ok');
      const wav = wavFormat(expectFile(ctx, result, 'translation', 'audio/wav', 'translation.wav'));
      const recording = wavFormat(SPEECH)!.seconds;
      ctx.expect(wav !== undefined && wav.audioFormat === 1 && wav.bitsPerSample === 16 && wav.channels === 1 && Math.abs(wav.seconds - recording) <= DURATION_TOLERANCE, {
        message: 'The voice-over is not a 16-bit PCM mono WAV as long as the recording',
        expected: `RIFF/WAVE, PCM (format 1), 16 bits, 1 channel, ${recording.toFixed(3)} s ± ${DURATION_TOLERANCE}`,
        received: wav ? `format ${wav.audioFormat}, ${wav.bitsPerSample} bits, ${wav.channels} channels, ${wav.seconds.toFixed(3)} s` : 'not a RIFF/WAVE file',
        pointer: `${FORM_POINTER}/properties/translation`,
      });
    });
    await ctx.step('a request into an unsupported language (xx) is accepted, then called back as status error with a message naming it and no files', async () => {
      const sid = newSid();
      expectAccepted(ctx, await submit(ctx, { request_sid: sid, callback_url: receiver.url(path(sid)), requested_service: 'transcription', source_language: ['en'], target_language: 'xx' }), 'A request into language xx');
      const result = await expectOneCallback(ctx, receiver, path(sid), sid, 'error');
      const message = result.form.fields.message![0]!;
      ctx.expect(message.includes('xx') && result.form.files.length === 0, { message: 'The error callback does not name the language, or carries files', expected: 'a message naming "xx", no file parts', received: `message ${JSON.stringify(message)}, ${result.form.files.length} files ${result.form.files.map((f) => f.name).join(', ')}`, pointer: `${ctx.pointerOf('submitTwilioAddonRequest')}/description` });
    });
    await ctx.step('the same request_sid again (a retried delivery) is answered 202 and not called back a second time', async () => {
      expectAccepted(ctx, await submit(ctx, transcription.fields), 'A repeated delivery of the transcription request');
      // On a moved clock, a second result would take about the real time the first took: three times that.
      const graceMs = Math.min(10_000, Math.max(1000, 3 * outcome.tookMs));
      const calls = await arrivals(ctx, receiver, path(transcription.fields.request_sid), { after: 1, seconds: REPEAT_WAIT_SECONDS, graceMs });
      ctx.expect(calls.length === 1, { message: 'A repeated request_sid was processed again', expected: `still the one callback after ${REPEAT_WAIT_SECONDS} s`, received: `${calls.length} callbacks`, pointer: `${ctx.pointerOf('submitTwilioAddonRequest')}/responses/202` });
    });
  },
};
