// The AssemblyAI journeys, run as `conform` runs them: against a conforming implementation
// (the emulator) they find nothing and leave nothing behind but deleted transcripts (AssemblyAI
// keeps those listed, their content removed); against implementations broken in one way each,
// they fail exactly the step that checks that behaviour.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../emulator/compose.ts';
import { controlClient } from '../emulator/testing/control-client.ts';
import { runConformance, type RunOptions } from './runner/run.ts';
import { assemblyai } from './scenarios/assemblyai/index.ts';
import { json, startBrokenProxy, type Defect, type ProxiedRequest, type ProxiedResponse } from './testing/broken-proxy.ts';
import { defectRowTests } from './testing/defect-rows.ts';
import type { RunReport, StepResult } from './types.ts';

let emulator: RunningServer;
beforeAll(async () => {
  emulator = await startServer({ host: '127.0.0.1', port: 0, apis: ['assemblyai'], clock: { mode: 'manual' }, strict: true, apiKeys: ['second-key'] });
});
afterAll(() => emulator?.close());
beforeEach(() => controlClient(emulator.url).reset());

type Options = Omit<RunOptions, 'api' | 'scenarios' | 'existingResources'> & Partial<Pick<RunOptions, 'scenarios'>>;
const runAssemblyAi = (options: Options) => runConformance({ api: 'assemblyai', ...assemblyai, ...options });
const run = (target: string, only?: string, extra: Partial<Options> = {}) => runAssemblyAi({
  target, credentials: { token: 'test-key' }, secondCredentials: { token: 'second-key' }, timeoutSeconds: 30, ...(only && { only }), ...extra,
});
const steps = (report: RunReport): StepResult[] => report.groups.flatMap((g) => g.steps);
const failed = (report: RunReport) => steps(report).filter((s) => s.outcome === 'failed');
const describeFailures = (report: RunReport) => failed(report).map((s) => `${s.name}: ${s.failures.map((f) => `${f.check} ${f.message} (${f.received.slice(0, 160)})`).join('; ')}`);
const journeySteps = (report: RunReport) => report.groups.filter((g) => g.kind === 'scenario').flatMap((g) => g.steps.map((st) => `${g.name} / ${st.name}`));

const transcriptsOf = async (key: string) => (await (await fetch(`${emulator.url}/v2/transcript?limit=200`, { headers: { authorization: key } })).json()).transcripts as Array<{ id: string; audio_url: string }>;

// Every step the journeys plan, in order: the report of a full run must list exactly these,
// and each has a defect below that makes it fail.
const PLANNED: Array<[string, string]> = [
  ['stream', 'a whole 8 kHz WAV clip with punctuate and format_text: 200 completed, the true text, created in the vendor\'s form, words in integer ms'],
  ['stream', 'without options the text is lower case and unpunctuated'],
  ['stream', 'audio_data that is not base64 is refused: 400 {error}'],
  ['stream', 'a request without audio_data is refused: 400 {error}'],
  ['stream', 'a clip of 15 s is refused: 400 {error}'],
  ['stream', 'a stereo WAV at 44.1 kHz is refused: 400 {error}'],
  ['stream', 'format_text that is not a Boolean is refused: 400 "format_text must be a Boolean"'],
  ['transcription', 'upload the recording as raw bytes: 200 with an upload_url'],
  ['transcription', 'create a transcript of it: 200, queued, with its id and no result yet'],
  ['transcription', 'it moves queued → processing → completed'],
  ['transcription', 'the completed transcript has the true text, words in integer ms, and audio_duration 5'],
  ['transcription', 'the options are echoed: audio_url as given, punctuate and format_text true by default'],
  ['read-outs', 'create a transcript: until it completes, sentences, paragraphs, srt, vtt and word-search answer 400 {error}'],
  ['read-outs', 'it completes'],
  ['read-outs', 'sentences: the two sentences of the recording, in order, in integer ms'],
  ['read-outs', 'paragraphs: its sentences joined, in order, in integer ms'],
  ['read-outs', 'srt: numbered SubRip cues holding the words, in order'],
  ['read-outs', 'vtt with chars_per_caption=20: WebVTT cues of one line of at most 20 characters'],
  ['read-outs', 'word-search: every entry in order, with its count, indexes and timestamps in ms'],
  ['remote-audio', 'a transcript of a downloadable audio_url completes with the recording\'s text and duration'],
  ['remote-audio', 'a transcript of an audio_url that answers 404 is created, then ends in error with the download message'],
  ['listing', 'create three transcripts a moment apart (and one that will fail, on a local target)'],
  ['listing', 'they finish: completed, and error for the one whose audio cannot be downloaded'],
  ['listing', 'the list holds them newest first, each as it is'],
  ['listing', 'limit=2 pages them: prev_url leads to older transcripts, next_url back to newer ones'],
  ['listing', 'status selects by state'],
  ['deletion', 'create a transcript and delete it at once, while queued: 400 {error}'],
  ['deletion', 'deleting it while processing answers 400 {error}'],
  ['deletion', 'once completed, DELETE answers 200 with the content removed'],
  ['deletion', 'it can still be read in that state, and is still listed'],
  ['deletion', 'its read-outs are refused with 400 {error}'],
  ['webhooks', 'create a transcript with webhook_url and an auth header; it completes'],
  ['webhooks', 'the webhook gets one POST {transcript_id, status: completed} with the auth header'],
  ['webhooks', 'the transcript then shows webhook_status_code 200 and webhook_auth, never the header\'s value'],
  ['webhooks', 'a transcript that fails calls its webhook with status error'],
  ['tenants', 'the first key uploads a recording and creates a transcript; it completes'],
  ['tenants', 'the second key gets 404 {error} for the transcript and its read-outs'],
  ['tenants', 'nor can delete it'],
  ['tenants', 'nor finds it in its list'],
  ['tenants', 'nor can create a transcript from the first key\'s upload: 403 "Cannot access uploaded file"'],
  ['errors', 'an unknown transcript id is 404 {error} on get, delete and the read-outs'],
  ['errors', 'an unknown parameter is refused: 400 "Invalid parameter: speaker_label is not a known parameter"'],
  ['errors', 'an empty upload is refused: 400 {error}'],
  ['errors', 'a wrong key, or none, is 401 {error}'],
];

describe('against the emulator', () => {
  it('every scenario, probe and negative case passes, every planned step is reported, and every operation is exercised', async () => {
    const report = await run(emulator.url);
    expect(describeFailures(report)).toEqual([]);
    expect(steps(report).filter((s) => s.outcome === 'skipped').map((s) => s.name)).toEqual([]);
    expect(report.groups.map((g) => g.name)).toEqual(['stream', 'transcription', 'read-outs', 'remote-audio', 'listing', 'deletion', 'webhooks', 'tenants', 'errors', 'documented-requests', 'negative-cases']);
    expect(journeySteps(report)).toEqual(PLANNED.map(([scenario, step]) => `${scenario} / ${step}`));
    // Negative cases on /v2/transcript/{transcript_id} aim at a real transcript, so only the broken rule can refuse them.
    // (Not on /{subtitle_format} as well: the runner aims only where every path parameter is
    // given, and a real subtitle_format would spoil the case that breaks its enum.)
    const aimed = report.exchanges.filter((e) => e.step.endsWith('wrong credentials') && e.operation.path.includes('{transcript_id}') && !e.operation.path.includes('{subtitle_format}'));
    expect(aimed.length).toBeGreaterThan(0);
    expect(aimed.every((e) => !e.request.url.includes('5d2a8e41-9c3f-4b7d-a6e0-1f8b3c9d7e25'))).toBe(true);
    expect(report.coverage.every((op) => op.seen.length > 0)).toBe(true);
    // Every documented status a client can provoke is seen; 429 and 500 are the service's own.
    const unseen = report.coverage.flatMap((op) => op.documented.filter((s) => !op.seen.includes(Number(s))).map((s) => `${op.operationId} ${s}`));
    expect(unseen).toEqual(report.coverage.flatMap((op) => [`${op.operationId} 429`, `${op.operationId} 500`]));
  }, 60_000);

  it('leaves nothing behind but deleted transcripts, even when a step fails', async () => {
    const clean = await run(emulator.url);
    expect(describeFailures(clean)).toEqual([]);
    const proxy = await startBrokenProxy(emulator.url, editCompleted((t) => ({ ...t, text: 'something else' })));
    try {
      const report = await run(proxy.url, 'transcription');
      expect(failed(report).map((s) => s.name)).toEqual(['the completed transcript has the true text, words in integer ms, and audio_duration 5']);
    } finally {
      await proxy.close();
    }
    for (const key of ['test-key', 'second-key']) {
      const left = (await transcriptsOf(key)).filter((t) => t.audio_url !== 'http://deleted_by_user');
      expect(left).toEqual([]);
    }
    expect((await transcriptsOf('test-key')).length).toBeGreaterThan(0);
  }, 60_000);
});

describe('against a target without a controllable clock or a second key', () => {
  it('skips the journeys that need them, each with its reason, and passes the rest in real time', async () => {
    // 10x: a transcript is queued for 0.1 s and processed for 0.25 s, long enough to be caught in each.
    const fast = await startServer({ host: '127.0.0.1', port: 0, apis: ['assemblyai'], clock: { mode: 'scaled', timeScale: 10 }, strict: true });
    const proxy = await startBrokenProxy(fast.url, { hideControlApi: true });
    try {
      const report = await runAssemblyAi({ target: proxy.url, credentials: { token: 'test-key' }, timeoutSeconds: 30 });
      const skipped = steps(report).filter((s) => s.outcome === 'skipped').map((s) => [s.name, s.skippedReason]);
      expect(skipped).toEqual([['Two keys never see each other\'s transcripts or uploads', 'needs a second key (--token2)']]);
      expect(describeFailures(report)).toEqual([]);
    } finally {
      await proxy.close();
      await fast.close();
    }
  }, 60_000);
});

describe('against a target that is not on this machine\'s loopback', () => {
  it('skips what needs the receiver or the audio host, with the reason, and passes the rest', async (test) => {
    // 127.0.0.2 reaches this machine, but the runner counts only 127.0.0.1/localhost/::1 as local.
    const remote = await startServer({ host: '127.0.0.2', port: 0, apis: ['assemblyai'], clock: { mode: 'manual' }, strict: true, apiKeys: ['second-key'] }).catch(() => undefined);
    if (!remote) return test.skip('127.0.0.2 is not a loopback address on this machine');
    try {
      const report = await run(remote.url);
      const skipped = steps(report).filter((s) => s.outcome === 'skipped').map((s) => [s.name, s.skippedReason]);
      expect(skipped).toEqual([
        ['Audio by URL: a downloadable audio_url is transcribed; one that cannot be downloaded ends in error', expect.stringMatching(/loopback/)],
        ['Webhooks: a POST {transcript_id, status} with the auth header asked for, on completion and on error', expect.stringMatching(/loopback/)],
      ]);
      expect(describeFailures(report)).toEqual([]);
    } finally {
      await remote.close();
    }
  }, 60_000);
});

// ---- defects: which step each must fail ------------------------------------------------

const TRANSCRIPT = /^\/v2\/transcript\/[^/]+$/;
const READ_OUT = /^\/v2\/transcript\/[^/]+\/(sentences|paragraphs|word-search|srt|vtt)$/;
const idOf = (req: ProxiedRequest) => req.path.split('/')[3]!;
const isStream = (req: ProxiedRequest) => req.method === 'POST' && req.path === '/v2/stream';
const isUpload = (req: ProxiedRequest) => req.method === 'POST' && req.path === '/v2/upload';
const isCreate = (req: ProxiedRequest) => req.method === 'POST' && req.path === '/v2/transcript';
const isList = (req: ProxiedRequest) => req.method === 'GET' && req.path === '/v2/transcript';
const isReadOut = (req: ProxiedRequest, which?: string) => req.method === 'GET' && READ_OUT.test(req.path) && (which === undefined || req.path.endsWith(`/${which}`));
const bodyOf = (req: ProxiedRequest) => req.body.toString('utf8');
const errorOf = (res: ProxiedResponse) => String(json.read(res).error ?? '');
const asKey = (key: string) => (req: ProxiedRequest): ProxiedRequest => ({ ...req, headers: { ...req.headers, authorization: key } });
/** What a target that took a clip it should refuse would answer. */
const emptyClip = (res: ProxiedResponse) => json.write(res, { id: '7c1e9a2f-5b4d-4e8a-9f61-2d3c4b5a6e7f', status: 'completed', confidence: 0, text: '', words: [], created: '2026-01-05 09:00:00.000000' }, 200);

/** Edits every transcript read with GET /v2/transcript/{id} while `when` holds of it. */
const editTranscript = (edit: (t: any) => any, when: (t: any) => boolean = () => true): Defect => ({
  response: (req, res) => (req.method === 'GET' && TRANSCRIPT.test(req.path) && res.status === 200 && when(json.read(res)) ? json.write(res, edit(json.read(res))) : res),
});
const editCompleted = (edit: (t: any) => any) => editTranscript(edit, (t) => t.status === 'completed' && t.audio_url !== 'http://deleted_by_user');
/** Edits the body of a create request as text. */
const editCreate = (from: string, to: string): Defect => ({
  request: (req) => (isCreate(req) ? { ...req, body: Buffer.from(bodyOf(req).replace(from, to)) } : req),
});
/** Edits the JSON answer of the requests `when` picks, when it is 200. */
const editOk = (when: (req: ProxiedRequest) => boolean, edit: (body: any) => any): Defect => ({
  response: (req, res) => (when(req) && res.status === 200 ? json.write(res, edit(json.read(res))) : res),
});
/** Drops query parameters from list requests. */
const dropQuery = (when: (req: ProxiedRequest) => boolean, ...names: string[]): Defect => ({
  request: (req) => {
    if (!when(req)) return req;
    const query = new URLSearchParams(req.query);
    for (const name of names) query.delete(name);
    return { ...req, query };
  },
});
/** Remembers the status each transcript was last read in, for defects that depend on it. */
const statusTracking = (respond: (req: ProxiedRequest, res: ProxiedResponse, lastSeen: string | undefined) => ProxiedResponse): Defect => {
  const seen = new Map<string, string>();
  return {
    response: (req, res) => {
      if (req.method === 'GET' && TRANSCRIPT.test(req.path) && res.status === 200) seen.set(idOf(req), json.read(res).status);
      return respond(req, res, seen.get(idOf(req)));
    },
  };
};

const refuseCreates: Defect = { response: (req, res) => (isCreate(req) ? json.write(res, { error: 'Internal Server Error', status: 'error' }, 500) : res) };
const failEveryCompleted = editCompleted((t) => ({ ...t, status: 'error', error: 'Transcoding failed. File does not appear to contain audio.', text: null, words: null, audio_duration: null }));
const second = (req: ProxiedRequest) => req.headers.authorization === 'second-key';

const DEFECTS: Array<[string, string, Defect]> = [
  // stream
  ['stream', PLANNED[0]![1], editOk(isStream, (clip) => ({ ...clip, created: '2026-01-05T09:00:00Z' }))],
  ['stream', PLANNED[1]![1], editOk((req) => isStream(req) && !bodyOf(req).includes('punctuate'), (clip) => ({ ...clip, text: clip.text ? `${clip.text[0].toUpperCase()}${clip.text.slice(1)}` : clip.text }))],
  ['stream', PLANNED[2]![1], { response: (req, res) => (isStream(req) && bodyOf(req).includes('not base64!') ? emptyClip(res) : res) }],
  ['stream', PLANNED[3]![1], { response: (req, res) => (isStream(req) && !bodyOf(req).includes('audio_data') ? emptyClip(res) : res) }],
  ['stream', PLANNED[4]![1], { response: (req, res) => (isStream(req) && res.status === 400 && errorOf(res).startsWith('Audio is too long') ? emptyClip(res) : res) }],
  ['stream', PLANNED[5]![1], { response: (req, res) => (isStream(req) && res.status === 400 && errorOf(res).startsWith('Unsupported audio format') ? emptyClip(res) : res) }],
  ['stream', PLANNED[6]![1], { response: (req, res) => (isStream(req) && res.status === 400 ? json.write(res, { error: 'format_text: expected a boolean' }) : res) }],
  // transcription
  ['transcription', PLANNED[7]![1], editOk(isUpload, (body) => ({ url: body.upload_url }))],
  ['transcription', PLANNED[8]![1], editOk(isCreate, (t) => ({ ...t, status: 'processing' }))],
  ['transcription', PLANNED[9]![1], editTranscript((t) => ({ ...t, status: 'transcribing' }), (t) => t.status === 'processing')],
  ['transcription', PLANNED[10]![1], editCompleted((t) => ({ ...t, audio_duration: 4 }))],
  ['transcription', PLANNED[11]![1], editTranscript((t) => ({ ...t, punctuate: false }))],
  // read-outs
  ['read-outs', PLANNED[12]![1], { response: (req, res) => (isReadOut(req, 'paragraphs') && res.status === 400 ? json.write(res, { id: idOf(req), confidence: 0, audio_duration: 0, paragraphs: [] }, 200) : res) }],
  ['read-outs', PLANNED[13]![1], failEveryCompleted],
  ['read-outs', PLANNED[14]![1], editOk((req) => isReadOut(req, 'sentences'), (body) => ({ ...body, sentences: [...body.sentences].reverse() }))],
  ['read-outs', PLANNED[15]![1], editOk((req) => isReadOut(req, 'paragraphs'), (body) => ({ ...body, paragraphs: body.paragraphs.map((p: any) => ({ ...p, start: p.start + 1 })) }))],
  ['read-outs', PLANNED[16]![1], { response: (req, res) => (isReadOut(req, 'srt') && res.status === 200 ? { ...res, body: Buffer.from(res.body.toString('utf8').replace(/(\d{2}),(\d{3})/g, '$1.$2')) } : res) }],
  ['read-outs', PLANNED[17]![1], dropQuery((req) => isReadOut(req, 'vtt'), 'chars_per_caption')],
  ['read-outs', PLANNED[18]![1], editOk((req) => isReadOut(req, 'word-search'), (body) => ({ ...body, matches: body.matches.filter((m: any) => m.count > 0) }))],
  // remote-audio
  ['remote-audio', PLANNED[19]![1], editCompleted((t) => ({ ...t, audio_url: t.audio_url.replace('/conformance/', '/elsewhere/') }))],
  ['remote-audio', PLANNED[20]![1], editTranscript((t) => ({ ...t, error: 'Download error' }), (t) => t.status === 'error')],
  // listing
  ['listing', PLANNED[21]![1], refuseCreates],
  ['listing', PLANNED[22]![1], failEveryCompleted],
  ['listing', PLANNED[23]![1], editOk(isList, (page) => ({ ...page, transcripts: [...page.transcripts].reverse() }))],
  ['listing', PLANNED[24]![1], editOk(isList, (page) => ({ ...page, page_details: { ...page.page_details, next_url: page.page_details.next_url && page.page_details.current_url } }))],
  ['listing', PLANNED[25]![1], dropQuery(isList, 'status')],
  // deletion
  ['deletion', PLANNED[26]![1], { response: (req, res) => (req.method === 'DELETE' && res.status === 400 ? json.write(res, { id: idOf(req), status: 'queued' }, 200) : res) }],
  ['deletion', PLANNED[27]![1], statusTracking((req, res, last) => (req.method === 'DELETE' && res.status === 400 && last === 'processing' ? json.write(res, { id: idOf(req), status: 'processing' }, 200) : res))],
  ['deletion', PLANNED[28]![1], editOk((req) => req.method === 'DELETE', (t) => ({ ...t, text: null }))],
  ['deletion', PLANNED[29]![1], editOk(isList, (page) => ({ ...page, transcripts: page.transcripts.filter((t: any) => t.audio_url !== 'http://deleted_by_user') }))],
  ['deletion', PLANNED[30]![1], { response: (req, res) => (isReadOut(req) && res.status === 400 && errorOf(res).includes('deleted') ? json.write(res, json.read(res), 410) : res) }],
  // webhooks (they go from the target straight to the receiver: broken on the way in)
  ['webhooks', PLANNED[31]![1], refuseCreates],
  ['webhooks', PLANNED[32]![1], editCreate('"speechdouble-conformance"', '"something-else"')],
  ['webhooks', PLANNED[33]![1], editTranscript((t) => ({ ...t, webhook_status_code: null }))],
  ['webhooks', PLANNED[34]![1], editCreate('/assemblyai/webhook/error', '/assemblyai/webhook/elsewhere')],
  // tenants: the second key's requests answered as if it were the first's
  ['tenants', PLANNED[35]![1], refuseCreates],
  ['tenants', PLANNED[36]![1], { request: (req) => (req.method === 'GET' && (TRANSCRIPT.test(req.path) || READ_OUT.test(req.path)) && second(req) ? asKey('test-key')(req) : req) }],
  ['tenants', PLANNED[37]![1], { request: (req) => (req.method === 'DELETE' && second(req) ? asKey('test-key')(req) : req) }],
  ['tenants', PLANNED[38]![1], { request: (req) => (isList(req) && second(req) ? asKey('test-key')(req) : req) }],
  ['tenants', PLANNED[39]![1], { request: (req) => (isCreate(req) && second(req) ? asKey('test-key')(req) : req) }],
  // errors
  ['errors', PLANNED[40]![1], { response: (req, res) => (isReadOut(req, 'word-search') && res.status === 404 ? json.write(res, { message: 'Not Found' }) : res) }],
  ['errors', PLANNED[41]![1], { response: (req, res) => (isCreate(req) && res.status === 400 ? json.write(res, { error: 'Unknown field speaker_label' }) : res) }],
  ['errors', PLANNED[42]![1], { response: (req, res) => (isUpload(req) && res.status === 400 ? json.write(res, json.read(res), 422) : res) }],
  ['errors', PLANNED[43]![1], { response: (req, res) => (res.status === 401 ? { ...res, headers: { ...res.headers, 'content-type': 'text/plain' }, body: Buffer.from('Unauthorized') } : res) }],
  // the generic groups
  ['negative-cases', 'create a resource for the cases to aim at', refuseCreates],
  ['negative-cases', 'getTranscript: wrong credentials', { request: asKey('test-key') }],
  ['documented-requests', 'GET /v2/transcript', { response: (req, res) => (isList(req) ? json.write(res, { error: 'Internal Server Error', status: 'error' }, 500) : res) }],
];

defectRowTests({ rows: DEFECTS, planned: PLANNED, target: () => emulator.url, run: (target, only) => run(target, only) });
