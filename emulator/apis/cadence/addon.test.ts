// Cadence's Twilio add-on as Twilio (or a partner) meets it: a real port in strict mode, real
// multipart with real audio, a real callback receiver on loopback, and a manual clock advanced
// through the control API. The callback's parts are read back as a receiver would: the PDF with
// pdfjs, the WAV with music-metadata and its RIFF header.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import busboy from 'busboy';
import { parseBuffer } from 'music-metadata';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../compose.ts';
import { FIXTURES_DIR } from '../../engine/fixtures.ts';
import { controlClient } from '../../testing/control-client.ts';
import { startLoopbackPeer, type LoopbackPeer, type ReceivedCall } from '../../testing/loopback-peer.ts';

const GREETING = readFileSync(FIXTURES_DIR + 'en-greeting.16k.wav');
const GREETING_WORDS: string = JSON.parse(readFileSync(FIXTURES_DIR + 'en-greeting.json', 'utf8')).text;
const NOT_AUDIO = readFileSync(FIXTURES_DIR + 'not-audio.bin');
// pdfjs reads the metrics of the standard fonts from its own files; without them it warns.
const STANDARD_FONTS = fileURLToPath(new URL('../../../node_modules/pdfjs-dist/standard_fonts/', import.meta.url));

const SAMPLE_AUTH = 'cadence:friend';
const basic = (userPass: string) => `Basic ${Buffer.from(userPass, 'utf8').toString('base64')}`;
const sid = (n: number) => `XR${n.toString(16).padStart(32, '0')}`;
const CALLBACK_USER_AGENT = 'cadencetranscription/v/0.1';
const TWILIO_HEADERS = {
  'X-Twilio-VendorAccountSid': 'AC0aee0ca923732881584d8c4fa2815d28',
  'X-Twilio-AddOnSid': 'XB02827283e0ad84173581569969e58b08',
  'X-Twilio-AddOnVersionSid': 'XC1006f7e3dfc967a64cb14028d512c979',
  'X-Twilio-AddOnInstallSid': 'XD1e558e08baa7196b50ac2f86702824c1',
  'X-Twilio-AddOnConfigurationSid': 'XEc099724caf4941d4072014b3ce107f80',
};

/** The recording's length, read from its RIFF header (the data chunk over the byte rate). */
function wavSeconds(bytes: Buffer): number {
  const header = riffHeader(bytes);
  return header.dataBytes / header.byteRate;
}

interface RiffHeader {
  audioFormat: number;
  channels: number;
  sampleRate: number;
  byteRate: number;
  bitsPerSample: number;
  dataBytes: number;
}

function riffHeader(bytes: Buffer): RiffHeader {
  expect(bytes.toString('latin1', 0, 4)).toBe('RIFF');
  expect(bytes.toString('latin1', 8, 12)).toBe('WAVE');
  let fmt: Omit<RiffHeader, 'dataBytes'> | undefined;
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = bytes.toString('latin1', at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    if (id === 'fmt ') {
      fmt = { audioFormat: bytes.readUInt16LE(at + 8), channels: bytes.readUInt16LE(at + 10), sampleRate: bytes.readUInt32LE(at + 12), byteRate: bytes.readUInt32LE(at + 16), bitsPerSample: bytes.readUInt16LE(at + 22) };
    }
    if (id === 'data') {
      if (!fmt) throw new Error('data chunk before fmt chunk');
      return { ...fmt, dataBytes: size };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}

const GREETING_SECONDS = wavSeconds(GREETING);
/** The default `processing` (share:0.5, at least 2 s) on the greeting, in whole ms as the clock keeps them. */
const GREETING_PROCESSING = Math.round(Math.max(2, GREETING_SECONDS * 0.5) * 1000) / 1000;

let server: RunningServer;
let peer: LoopbackPeer;

beforeAll(async () => {
  server = await startServer({ host: '127.0.0.1', port: 0, apis: ['cadence'], clock: { mode: 'manual' }, strict: true, apiKeys: ['partner:secret'] });
  peer = await startLoopbackPeer({});
});
afterAll(async () => {
  await server?.close();
  await peer?.close();
});
beforeEach(async () => {
  peer.clear();
  await controlClient(server.url).reset();
});

const advance = (seconds: number, on: RunningServer = server) => controlClient(on.url).advance(seconds);
const hook = (name: string) => `${peer.url}/hooks/${name}`;
const receivedAt = (name: string) => peer.received.filter((call) => call.path === `/hooks/${name}`);

/**
 * What reached `/hooks/<name>`, once at least `count` calls have (or after a bounded number of
 * event-loop turns, never a timer): a delivery is awaited by the advance, this only makes sure.
 */
async function delivered(name: string, count = 1): Promise<ReceivedCall[]> {
  for (let turn = 0; turn < 500 && receivedAt(name).length < count; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
  return receivedAt(name);
}

interface CallbackAttempt {
  attempt: number;
  status: number | null;
  resource_id: string;
  sent_at: string;
  url: string;
}

async function attempts(on: RunningServer = server): Promise<CallbackAttempt[]> {
  return (await (await fetch(`${on.url}/__emulator/callbacks?api=cadence`)).json()).callbacks;
}

// ----------------------------------------------------------------------------------------------
// Sending requests

interface AddonFields {
  request_sid?: string;
  callback_url?: string;
  requested_service?: string;
  source_language?: string | string[];
  target_language?: string;
  channels?: string;
  duration?: string;
  format?: string;
  media_sid?: string;
  size?: string;
}

/** The documentation's complete sample, with this test's sid and receiver. */
function sampleFields(name: string, n: number, extra: AddonFields = {}): AddonFields {
  return {
    request_sid: sid(n),
    callback_url: hook(name),
    requested_service: 'transcription',
    source_language: ['en', 'de'],
    target_language: 'en',
    channels: '1',
    duration: String(Math.round(GREETING_SECONDS * 1000)),
    format: 'audio/x-wav',
    media_sid: 'REe222f828767efc2f91624a8940f1f836',
    size: String(GREETING.length),
    ...extra,
  };
}

/** The text fields as Twilio signs them: a repeated field as an array. */
const signedParams = (fields: AddonFields): Record<string, string | string[]> =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Record<string, string | string[]>;

function addonForm(fields: AddonFields, audio: Buffer | null = GREETING): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const one of [value].flat() as string[]) form.append(name, one);
  }
  if (audio) form.append('audio_data', new Blob([new Uint8Array(audio)], { type: 'audio/x-wav' }), 'recording.wav');
  return form;
}

interface Answer {
  status: number;
  headers: Headers;
  bytes: Buffer;
  json(): unknown;
}

async function post(body: BodyInit | undefined, options: { auth?: string | null; headers?: Record<string, string>; on?: RunningServer } = {}): Promise<Answer> {
  const auth = options.auth === undefined ? basic(SAMPLE_AUTH) : options.auth;
  const res = await fetch(`${(options.on ?? server).url}/cadence/twilio`, {
    method: 'POST',
    headers: { ...(auth !== null && { authorization: auth }), ...options.headers },
    ...(body !== undefined && { body }),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  if (res.status >= 500) throw new Error(`contract violation or crash (${res.status}): ${bytes}`);
  return { status: res.status, headers: res.headers, bytes, json: () => JSON.parse(bytes.toString('utf8')) };
}

const submit = (fields: AddonFields, audio: Buffer | null = GREETING, options: Parameters<typeof post>[1] = {}) => post(addonForm(fields, audio), options);

// ----------------------------------------------------------------------------------------------
// Reading callbacks back

interface Part {
  filename: string | undefined;
  mimeType: string;
  data: Buffer;
}

interface Callback {
  fields: Record<string, string[]>;
  files: Record<string, Part[]>;
}

function readCallback(call: ReceivedCall): Promise<Callback> {
  return new Promise((resolve, reject) => {
    const parsed: Callback = { fields: {}, files: {} };
    const parser = busboy({ headers: { 'content-type': String(call.headers['content-type']) }, defParamCharset: 'utf8' });
    parser.on('field', (name, value) => (parsed.fields[name] ??= []).push(value));
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => (parsed.files[name] ??= []).push({ filename: info.filename, mimeType: info.mimeType, data: Buffer.concat(chunks) }));
    });
    parser.on('error', reject);
    parser.on('close', () => resolve(parsed));
    parser.end(call.body);
  });
}

/** The text of every page of a PDF, one string per text item, in reading order. */
async function pdfText(bytes: Buffer): Promise<string[]> {
  // pdfjs takes ownership of the buffer it is given, so it gets a copy.
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), standardFontDataUrl: STANDARD_FONTS }).promise;
  const items: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    items.push(...content.items.flatMap((item) => ('str' in item && item.str !== '' ? [item.str] : [])));
  }
  await doc.destroy();
  return items;
}

const wordsOf = (text: string) => text.split(/\s+/).map((word) => word.replace(/[^\p{L}\p{N}']/gu, '')).filter(Boolean);

/** The one callback a request produced, read: exactly one delivery to `/hooks/<name>`. */
async function onlyCallback(name: string): Promise<{ call: ReceivedCall; body: Callback }> {
  const calls = await delivered(name);
  expect(calls).toHaveLength(1);
  return { call: calls[0]!, body: await readCallback(calls[0]!) };
}

// ----------------------------------------------------------------------------------------------

describe('a transcription request', () => {
  it('is accepted with 202 and an empty body, and its callback carries the PDF of the recording\'s words', async () => {
    const fields = sampleFields('basic', 1);
    const res = await submit(fields, GREETING, { headers: { ...TWILIO_HEADERS, 'X-Twilio-RequestSid': sid(1), 'X-Twilio-Signature': '3kQ9cV0zv2b8G1YwqS7oT4nLxHk=' } });
    expect(res.status).toBe(202);
    expect(res.bytes.length).toBe(0);
    expect(res.headers.get('content-type')).toBeNull();

    // Nothing before the clock moves, nor one millisecond before the processing ends.
    expect(peer.received).toEqual([]);
    await advance(GREETING_PROCESSING - 0.001);
    expect(peer.received).toEqual([]);
    expect(await attempts()).toEqual([]);
    await advance(0.001);

    const { call, body } = await onlyCallback('basic');
    expect(call.method).toBe('POST');
    expect(call.headers['user-agent']).toBe(CALLBACK_USER_AGENT);
    expect(call.headers.authorization).toBe(basic('cadence:friend'));
    expect(call.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(body.fields).toEqual({ request_sid: [sid(1)], status: ['ok'], message: [''] });
    expect(Object.keys(body.files)).toEqual(['transcription']);
    const [pdf] = body.files.transcription!;
    expect(body.files.transcription).toHaveLength(1);
    expect([pdf!.filename, pdf!.mimeType]).toEqual(['transcription.pdf', 'application/pdf']);
    expect(pdf!.data.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = (await pdfText(pdf!.data)).join('\n');
    expect(text).toContain(sid(1));
    for (const word of wordsOf(GREETING_WORDS)) expect(text).toContain(word);
    expect(text).toContain('Good morning, and welcome to the weather report.');
    expect(text).toContain('Language: en');

    // Nothing more comes, and the recording is gone once it is processed.
    await advance(600);
    expect(peer.received).toHaveLength(1);
    expect((await attempts()).map((a) => [a.attempt, a.status, a.resource_id])).toEqual([[1, 200, sid(1)]]);
    expect(server.emulator.files.list()).toEqual([]);
  });

  it('with a source_language sent once (a single field) is processed the same way', async () => {
    const res = await submit(sampleFields('single', 2, { source_language: 'en' }));
    expect([res.status, res.bytes.length]).toEqual([202, 0]);
    await advance(GREETING_PROCESSING);
    const { body } = await onlyCallback('single');
    expect(body.fields).toEqual({ request_sid: [sid(2)], status: ['ok'], message: [''] });
    const text = (await pdfText(body.files.transcription![0]!.data)).join('\n');
    for (const word of wordsOf(GREETING_WORDS)) expect(text).toContain(word);
  });

  it('into a target language that is the second of a repeated source_language (de) is the words as spoken', async () => {
    // The spec: the words as spoken when target_language is one of the source languages.
    expect((await submit(sampleFields('spoken', 26, { source_language: ['en', 'de'], target_language: 'de' }))).status).toBe(202);
    await advance(GREETING_PROCESSING);
    const { body } = await onlyCallback('spoken');
    expect(body.fields).toEqual({ request_sid: [sid(26)], status: ['ok'], message: [''] });
    const text = (await pdfText(body.files.transcription![0]!.data)).join('\n');
    for (const word of wordsOf(GREETING_WORDS)) expect(text).toContain(word);
  });

  it('into a target language that is not among the sources (cn) is a PDF of the translation', async () => {
    expect((await submit(sampleFields('chinese', 3, { source_language: ['en'], target_language: 'cn' }))).status).toBe(202);
    await advance(GREETING_PROCESSING);
    const { body } = await onlyCallback('chinese');
    expect(body.fields).toEqual({ request_sid: [sid(3)], status: ['ok'], message: [''] });
    expect(Object.keys(body.files)).toEqual(['transcription']);
    const [pdf] = body.files.transcription!;
    expect([pdf!.filename, pdf!.mimeType]).toEqual(['transcription.pdf', 'application/pdf']);
    const items = await pdfText(pdf!.data);
    const text = items.join('\n');
    expect(text).toContain(sid(3));
    expect(text).toContain('Language: zh');
    // Not the English words: none of the recording's content words is in it. (The document's
    // standard font shows no CJK, so the Chinese prints as `?`: cadence-document.ts says so.)
    for (const word of ['morning', 'welcome', 'weather', 'report', 'rain', 'today']) expect(text).not.toContain(word);
    // But the translation's timed sentences are there, in place of the English ones.
    const sentences = items.filter((item) => /^\[\d\d:\d\d:\d\d\] /.test(item));
    expect(sentences.length).toBeGreaterThan(0);
    expect(sentences.join(' ')).not.toBe('[00:00:00] Good morning, and welcome to the weather report. [00:00:03] Will it rain today?');
  });
});

describe('a translation (voice-over) request', () => {
  it('is called back with a 16-bit PCM mono WAV as long as the recording, and no transcription', async () => {
    expect((await submit(sampleFields('voice', 4, { requested_service: 'translation', source_language: ['en'], target_language: 'de' }))).status).toBe(202);
    await advance(GREETING_PROCESSING);
    const { call, body } = await onlyCallback('voice');
    expect(call.headers['user-agent']).toBe(CALLBACK_USER_AGENT);
    expect(body.fields).toEqual({ request_sid: [sid(4)], status: ['ok'], message: [''] });
    expect(Object.keys(body.files)).toEqual(['translation']);
    const [wav] = body.files.translation!;
    expect([wav!.filename, wav!.mimeType]).toEqual(['translation.wav', 'audio/wav']);
    const header = riffHeader(wav!.data);
    expect({ audioFormat: header.audioFormat, channels: header.channels, bitsPerSample: header.bitsPerSample }).toEqual({ audioFormat: 1, channels: 1, bitsPerSample: 16 });
    expect(Math.abs(header.dataBytes / header.byteRate - GREETING_SECONDS)).toBeLessThanOrEqual(0.01);
    const { format } = await parseBuffer(new Uint8Array(wav!.data), { mimeType: 'audio/wav' });
    expect(format).toMatchObject({ container: 'WAVE', codec: 'PCM', bitsPerSample: 16, numberOfChannels: 1, lossless: true });
    expect(Math.abs(format.duration! - GREETING_SECONDS)).toBeLessThanOrEqual(0.01);
    // Not silence: the voice-over sounds somewhere.
    const samples = new Int16Array(wav!.data.buffer.slice(wav!.data.byteOffset + wav!.data.length - header.dataBytes, wav!.data.byteOffset + wav!.data.length));
    expect(samples.some((sample) => sample !== 0)).toBe(true);
  });
});

describe('a request that cannot be done is an error callback, not a refusal', () => {
  it.each([
    ['an unsupported source language', (n: number) => submit(sampleFields('error', n, { source_language: 'xx' })), 'Unsupported language: xx'],
    ['an unsupported language second in a repeated source_language', (n: number) => submit(sampleFields('error', n, { source_language: ['en', 'xx'] })), 'Unsupported language: xx'],
    ['an unsupported target language', (n: number) => submit(sampleFields('error', n, { source_language: 'en', target_language: 'xx' })), 'Unsupported language: xx'],
    ['audio that is not audio', (n: number) => submit(sampleFields('error', n), NOT_AUDIO), 'The audio file could not be decoded.'],
  ])('%s', async (_case, send, message) => {
    const res = await send(5);
    expect([res.status, res.bytes.length]).toEqual([202, 0]);
    // At most the greeting's processing time (an undecodable file counts 0 s, so 2 s).
    await advance(GREETING_PROCESSING);
    const { call, body } = await onlyCallback('error');
    expect(call.headers.authorization).toBe(basic('cadence:friend'));
    expect({ fields: body.fields, files: Object.keys(body.files) }).toEqual({ fields: { request_sid: [sid(5)], status: ['error'], message: [message] }, files: [] });
    expect(server.emulator.files.list()).toEqual([]);
  });
});

describe('a repeated request_sid', () => {
  it('from the same credentials is acknowledged (202) but processed and called back once', async () => {
    const fields = sampleFields('dupe', 6);
    expect((await submit(fields)).status).toBe(202);
    const again = await submit(fields);
    expect([again.status, again.bytes.length]).toEqual([202, 0]);
    await advance(GREETING_PROCESSING);
    await delivered('dupe');
    // Even after the first one is done, the sid is remembered.
    expect((await submit(fields)).status).toBe(202);
    await advance(600);
    expect(receivedAt('dupe')).toHaveLength(1);
    expect((await attempts()).filter((a) => a.resource_id === sid(6))).toHaveLength(1);
    expect(server.emulator.files.list()).toEqual([]);
  });

  it('from other credentials is another request, processed separately', async () => {
    const fields = sampleFields('dupe', 7);
    expect((await submit(fields)).status).toBe(202);
    expect((await submit(fields, GREETING, { auth: basic('partner:secret') })).status).toBe(202);
    await advance(GREETING_PROCESSING);
    const calls = await delivered('dupe', 2);
    expect(calls).toHaveLength(2);
    for (const call of calls) expect((await readCallback(call)).fields).toEqual({ request_sid: [sid(7)], status: ['ok'], message: [''] });
    await advance(600);
    expect(receivedAt('dupe')).toHaveLength(2);
  });
});

describe('callback delivery', () => {
  it('is retried 10 s and 60 s after the first attempt while the receiver fails, and every attempt is recorded', async () => {
    peer.answers.push(500, 500);
    expect((await submit(sampleFields('flaky', 8))).status).toBe(202);
    await advance(GREETING_PROCESSING);
    expect(await delivered('flaky', 1)).toHaveLength(1);
    await advance(9.999);
    expect(receivedAt('flaky')).toHaveLength(1);
    await advance(0.001);
    expect(await delivered('flaky', 2)).toHaveLength(2);
    await advance(49.999);
    expect(receivedAt('flaky')).toHaveLength(2);
    await advance(0.001);
    expect(await delivered('flaky', 3)).toHaveLength(3);
    // The third got 200: no fourth attempt at 300 s.
    await advance(600);
    expect(receivedAt('flaky')).toHaveLength(3);
    // The same callback each time.
    const bodies = receivedAt('flaky').map((call) => call.body.toString('base64'));
    expect(new Set(bodies).size).toBe(1);
    const recorded = await attempts();
    expect(recorded.map((a) => [a.attempt, a.status, a.resource_id, a.url])).toEqual([[1, 500, sid(8), hook('flaky')], [2, 500, sid(8), hook('flaky')], [3, 200, sid(8), hook('flaky')]]);
    const sent = recorded.map((a) => Date.parse(a.sent_at));
    expect(sent.map((at) => (at - sent[0]!) / 1000)).toEqual([0, 10, 60]);
  });

  it('to a receiver that always fails is tried four times (0, 10, 60, 300 s), then no more', async () => {
    peer.answers.push(500, 500, 500, 500, 500, 500);
    expect((await submit(sampleFields('down', 9))).status).toBe(202);
    await advance(GREETING_PROCESSING);
    expect(await delivered('down', 1)).toHaveLength(1);
    for (const [wait, count] of [[10, 2], [50, 3], [240, 4]] as const) {
      await advance(wait - 0.001);
      expect(receivedAt('down')).toHaveLength(count - 1);
      await advance(0.001);
      expect(await delivered('down', count)).toHaveLength(count);
    }
    await advance(3600);
    expect(receivedAt('down')).toHaveLength(4);
    const recorded = await attempts();
    expect(recorded.map((a) => [a.attempt, a.status])).toEqual([[1, 500], [2, 500], [3, 500], [4, 500]]);
    const sent = recorded.map((a) => Date.parse(a.sent_at));
    expect(sent.map((at) => (at - sent[0]!) / 1000)).toEqual([0, 10, 60, 300]);
  });

  it('carries the credentials of --set cadence.callback-auth', async () => {
    const hooks = await startServer({ host: '127.0.0.1', port: 0, apis: ['cadence'], clock: { mode: 'manual' }, strict: true, settings: { cadence: { 'callback-auth': 'hooks:s3cret' } } });
    try {
      expect((await submit(sampleFields('auth', 10), GREETING, { on: hooks })).status).toBe(202);
      await advance(GREETING_PROCESSING, hooks);
      const { call, body } = await onlyCallback('auth');
      expect(call.headers.authorization).toBe(basic('hooks:s3cret'));
      expect(call.headers.authorization).toBe('Basic aG9va3M6czNjcmV0');
      expect(call.headers['user-agent']).toBe(CALLBACK_USER_AGENT);
      expect(body.fields.status).toEqual(['ok']);
    } finally {
      await hooks.close();
    }
  });
});

// ----------------------------------------------------------------------------------------------

const ADDON_ERROR = (message: string) => ({ status: 'error', message });

/** A request missing one field, or with one changed; `undefined` drops it. */
const variant = (n: number, change: AddonFields) => addonForm({ ...sampleFields('refused', n), ...change });

const REQUIRED = ['request_sid', 'callback_url', 'requested_service', 'source_language', 'target_language'] as const;

describe('refusals, as {status: "error", message}', () => {
  const expectNothingLeft = async () => {
    await advance(600);
    expect(peer.received).toEqual([]);
    expect(await attempts()).toEqual([]);
    expect(server.emulator.files.list()).toEqual([]);
  };

  it.each([
    ['no credentials', null],
    ['a wrong password', basic('cadence:foe')],
    ['an unknown user', basic('nobody:friend')],
    ['a Bearer key instead of basic credentials', 'Bearer meowmeowmeow'],
    ['a Bearer key that is the basic credential', 'Bearer cadence:friend'],
  ])('%s: 401 with a Basic challenge', async (_case, auth) => {
    const res = await post(variant(11, {}), { auth });
    expect([res.status, res.headers.get('content-type')?.split(';')[0], res.json()]).toEqual([401, 'application/json', ADDON_ERROR('Invalid username or password.')]);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic( |$)/);
    await expectNothingLeft();
  });

  it.each(REQUIRED)('a request without %s: 400 naming it', async (name) => {
    const res = await post(variant(12, { [name]: undefined }));
    expect([res.status, res.headers.get('content-type')?.split(';')[0], res.json()]).toEqual([400, 'application/json', ADDON_ERROR(`Missing required parameter: ${name}`)]);
    await expectNothingLeft();
  });

  it('a method the add-on does not take: 405 with Allow, in the add-on\'s body', async () => {
    // Found by emulator/guarantees/fuzz.test.ts: it was answered in the emulator's own body.
    const res = await fetch(`${server.url}/cadence/twilio`, { method: 'GET', headers: { authorization: basic(SAMPLE_AUTH) } });
    expect([res.status, res.headers.get('allow'), await res.json()]).toEqual([405, 'POST', ADDON_ERROR('Method GET is not allowed on /cadence/twilio')]);
  });

  it('a request without audio_data: 400 naming it', async () => {
    const res = await post(addonForm(sampleFields('refused', 13), null));
    expect([res.status, res.json()]).toEqual([400, ADDON_ERROR('Missing required parameter: audio_data')]);
    await expectNothingLeft();
  });

  it('audio_data sent as a text field instead of a file: 400 naming it', async () => {
    const form = addonForm(sampleFields('refused', 14), null);
    form.append('audio_data', 'RIFF....WAVE');
    const res = await post(form);
    expect([res.status, res.json()]).toEqual([400, ADDON_ERROR('Missing required parameter: audio_data')]);
    await expectNothingLeft();
  });

  it.each([
    ['requested_service summary', { requested_service: 'summary' }, 'requested_service must be one of: transcription, translation'],
    ['callback_url "not a url"', { callback_url: 'not a url' }, 'callback_url must be an absolute URL'],
    ['callback_url a relative path', { callback_url: '/hooks/refused' }, 'callback_url must be an absolute URL'],
    ['request_sid abc', { request_sid: 'abc' }, 'request_sid must be two capital letters and 32 hex digits'],
    ['request_sid with 31 hex digits', { request_sid: sid(15).slice(0, -1) }, 'request_sid must be two capital letters and 32 hex digits'],
  ])('%s: 400', async (_case, change, message) => {
    const res = await post(variant(15, change));
    expect([res.status, res.headers.get('content-type')?.split(';')[0], res.json()]).toEqual([400, 'application/json', ADDON_ERROR(message)]);
    await expectNothingLeft();
  });

  it('a JSON body instead of multipart: 400', async () => {
    const res = await post(JSON.stringify(sampleFields('refused', 16)), { headers: { 'content-type': 'application/json' } });
    expect([res.status, res.json()]).toEqual([400, ADDON_ERROR('The request must be multipart/form-data')]);
    await expectNothingLeft();
  });

  it('a multipart body cut short: 400, and the part of the file written so far is removed', async () => {
    const whole = new Request('http://x.test', { method: 'POST', body: variant(17, {}) });
    const type = whole.headers.get('content-type')!;
    const bytes = Buffer.from(await whole.arrayBuffer());
    const res = await post(new Uint8Array(bytes.subarray(0, bytes.length - 200)), { headers: { 'content-type': type } });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ status: 'error', message: expect.stringMatching(/^The request body could not be read/) });
    await expectNothingLeft();
  });
});

// ----------------------------------------------------------------------------------------------

describe('X-Twilio-Signature, with --set cadence.twilio-auth-token', () => {
  const TOKEN = 'tw-token';
  let signed: RunningServer;

  beforeAll(async () => {
    signed = await startServer({ host: '127.0.0.1', port: 0, apis: ['cadence'], clock: { mode: 'manual' }, strict: true, settings: { cadence: { 'twilio-auth-token': TOKEN } } });
  });
  afterAll(async () => {
    await signed?.close();
  });
  beforeEach(async () => {
    await controlClient(signed.url).reset();
  });

  const signature = (fields: AddonFields, token = TOKEN) => twilio.getExpectedTwilioSignature(token, `${signed.url}/cadence/twilio`, signedParams(fields));

  it('a request signed with Twilio\'s helper library is accepted and processed', async () => {
    const fields = sampleFields('signed', 20);
    const res = await submit(fields, GREETING, { on: signed, headers: { ...TWILIO_HEADERS, 'X-Twilio-Signature': signature(fields) } });
    expect([res.status, res.bytes.length]).toEqual([202, 0]);
    await advance(GREETING_PROCESSING, signed);
    const { body } = await onlyCallback('signed');
    expect(body.fields).toEqual({ request_sid: [sid(20)], status: ['ok'], message: [''] });
  });

  it('a request with a single source_language, signed, is accepted', async () => {
    const fields = sampleFields('signed', 21, { source_language: 'en' });
    expect((await submit(fields, GREETING, { on: signed, headers: { 'X-Twilio-Signature': signature(fields) } })).status).toBe(202);
  });

  it.each([
    ['no signature', () => undefined],
    ['a signature that is not one', () => 'not-a-signature'],
    ['a signature made with another auth token', (fields: AddonFields) => signature(fields, 'other-token')],
    ['a signature valid for other parameters', (fields: AddonFields) => signature({ ...fields, target_language: 'de' })],
    ['a signature valid for the languages in one field only', (fields: AddonFields) => signature({ ...fields, source_language: 'en' })],
  ])('%s: 401', async (_case, sign) => {
    const fields = sampleFields('signed', 22);
    const given = sign(fields);
    const res = await submit(fields, GREETING, { on: signed, headers: { ...(given !== undefined && { 'X-Twilio-Signature': given }) } });
    expect([res.status, res.headers.get('content-type')?.split(';')[0], res.json()]).toEqual([401, 'application/json', ADDON_ERROR('X-Twilio-Signature does not match this request')]);
    await advance(600, signed);
    expect(receivedAt('signed')).toEqual([]);
    expect(await attempts(signed)).toEqual([]);
    expect(signed.emulator.files.list()).toEqual([]);
  });

  it('without the setting, any signature or none is accepted', async () => {
    expect((await submit(sampleFields('unsigned', 23), GREETING, { headers: { 'X-Twilio-Signature': 'not-a-signature' } })).status).toBe(202);
    expect((await submit(sampleFields('unsigned', 24), GREETING, { headers: { 'X-Twilio-Signature': signature(sampleFields('unsigned', 24), 'some-token') } })).status).toBe(202);
    expect((await submit(sampleFields('unsigned', 25))).status).toBe(202);
    await advance(GREETING_PROCESSING);
    expect(await delivered('unsigned', 3)).toHaveLength(3);
  });
});

// ----------------------------------------------------------------------------------------------

describe('robustness', () => {
  it('a barrage of 20 malformed requests around 2 valid ones: 2 callbacks, no 5xx, nothing left on disk', async () => {
    const valid = (n: number) => () => post(addonForm(sampleFields('barrage', n)));
    const form = (n: number, change: AddonFields, audio: Buffer | null = GREETING) => () => post(addonForm({ ...sampleFields('barrage', n), ...change }, audio));
    const raw = (body: string, type: string) => () => post(body, { headers: { 'content-type': type } });
    const requests: Array<[string, () => Promise<Answer>]> = [
      ['no credentials', () => post(addonForm(sampleFields('barrage', 30)), { auth: null })],
      ['wrong password', () => post(addonForm(sampleFields('barrage', 31)), { auth: basic('cadence:foe') })],
      ['bearer', () => post(addonForm(sampleFields('barrage', 32)), { auth: 'Bearer meowmeowmeow' })],
      ['no request_sid', form(33, { request_sid: undefined })],
      ['no callback_url', form(34, { callback_url: undefined })],
      ['valid 1', valid(35)],
      ['no requested_service', form(36, { requested_service: undefined })],
      ['no source_language', form(37, { source_language: undefined })],
      ['no target_language', form(38, { target_language: undefined })],
      ['no audio_data', form(39, {}, null)],
      ['summary', form(40, { requested_service: 'summary' })],
      ['not a url', form(41, { callback_url: 'not a url' })],
      ['sid abc', form(42, { request_sid: 'abc' })],
      ['json', raw(JSON.stringify(sampleFields('barrage', 43)), 'application/json')],
      ['multipart without boundary', raw('request_sid=x', 'multipart/form-data')],
      ['url-encoded', raw(new URLSearchParams({ request_sid: sid(44), callback_url: hook('barrage') }).toString(), 'application/x-www-form-urlencoded')],
      ['garbage multipart', raw('--b\r\nContent-Disposition: form-data; name="request_sid"\r\n\r\nXR', 'multipart/form-data; boundary=b')],
      ['valid 2', valid(45)],
      ['channels not a number', form(46, { channels: 'two' })],
      ['target_language too short', form(47, { target_language: 'x' })],
      ['empty source_language', form(48, { source_language: '' })],
      ['no body', () => post(undefined)],
    ];
    expect(requests.filter(([name]) => !name.startsWith('valid'))).toHaveLength(20);
    const statuses: Array<[string, number]> = [];
    for (const [name, send] of requests) statuses.push([name, (await send()).status]);
    for (const [name, status] of statuses) {
      if (name.startsWith('valid')) expect(status, name).toBe(202);
      else expect([400, 401], name).toContain(status);
    }
    await advance(600);
    const calls = await delivered('barrage', 2);
    expect(calls).toHaveLength(2);
    const sids = await Promise.all(calls.map(async (call) => (await readCallback(call)).fields.request_sid![0]));
    expect(sids.sort()).toEqual([sid(35), sid(45)]);
    expect((await attempts()).map((a) => a.status)).toEqual([200, 200]);
    expect(server.emulator.files.list()).toEqual([]);
  });

  it('the same request replayed after a reset, on a fresh emulator, gets byte-identical callbacks', async () => {
    // The clock is never reset (time only moves forward), and the PDF is dated by it: each run
    // is a fresh emulator (same seed, the manual clock's fixed start), reset before it replays.
    const run = async (): Promise<Buffer> => {
      peer.clear();
      const fresh = await startServer({ host: '127.0.0.1', port: 0, apis: ['cadence'], clock: { mode: 'manual' }, strict: true });
      try {
        await controlClient(fresh.url).reset();
        expect((await submit(sampleFields('replay', 50), GREETING, { on: fresh })).status).toBe(202);
        await advance(GREETING_PROCESSING, fresh);
        const calls = await delivered('replay', 1);
        expect(calls).toHaveLength(1);
        return calls[0]!.body;
      } finally {
        await fresh.close();
      }
    };
    const first = await run();
    const second = await run();
    expect(second.length).toBe(first.length);
    expect(second.equals(first)).toBe(true);
  });

  it('a voice-over replayed after a reset on the same emulator gets a byte-identical callback', async () => {
    // The voice-over carries no date: a reset (the seed restarts) is enough.
    const once = async (name: string) => {
      await controlClient(server.url).reset();
      expect((await submit(sampleFields(name, 51, { requested_service: 'translation', source_language: 'en', target_language: 'de' }))).status).toBe(202);
      await advance(GREETING_PROCESSING);
      const calls = await delivered(name, 1);
      expect(calls).toHaveLength(1);
      return calls[0]!;
    };
    const first = await once('again');
    peer.clear();
    const second = await once('again');
    expect(second.headers['content-type']).toBe(first.headers['content-type']);
    expect(second.body.equals(first.body)).toBe(true);
  });
});
