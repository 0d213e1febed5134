import { SkipStep, type Scenario } from '../../scenario.ts';
import { create, expectConsistent, near, readJob, runTag, sameText, SPEECH, SPEECH_SECONDS, SPEECH_TEXT, statusOf, untilFinished, upload, type UploadAnswer } from './journey.ts';

/** The options sent; `request_params` must echo them, with the spec's defaults for the rest. */
const OPTIONS = { language_config: { languages: ['en'], code_switching: false }, sentences: false };
/** Boolean options left unsent, and the default the spec gives each. */
const DEFAULTS = { diarization: false, subtitles: false, translation: false, summarization: false, callback: false };

export const transcription: Scenario = {
  name: 'transcription',
  title: 'Upload a recording, follow its job queued → processing → done, read the result',
  async run(ctx) {
    const uploaded: UploadAnswer = await ctx.step('upload the recording: 200 with its real size, duration and channels', async () => {
      const answer = await upload(ctx);
      const meta = answer.audio_metadata;
      const expected = { size: SPEECH.length, audio_duration: `${SPEECH_SECONDS} ± 0.05`, number_of_channels: 1, extension: 'wav', filename: 'en-greeting.wav', id: 'the last segment of audio_url' };
      ctx.expect(meta?.size === SPEECH.length && near(meta.audio_duration, SPEECH_SECONDS) && meta.number_of_channels === 1 && meta.extension === 'wav' && meta.filename === 'en-greeting.wav' && answer.audio_url.endsWith(`/${meta.id}`), {
        message: 'The upload does not describe the recording it stored',
        expected: JSON.stringify(expected),
        received: JSON.stringify(meta ?? null),
        pointer: '#/components/schemas/AudioUploadMetadata',
      });
      return answer;
    });
    const tag = runTag('transcription');
    const id = await ctx.step('create a job: 201 with its id and a result_url naming it', async () => {
      const { id, call } = await create(ctx, { audio_url: uploaded.audio_url, ...OPTIONS, custom_metadata: { conformance: tag } });
      const resultUrl = call.json<{ result_url?: unknown }>().result_url;
      // The vendor's result_url names the generic /v2/transcription alias; the spec's, the job itself.
      const path = typeof resultUrl === 'string' && URL.canParse(resultUrl) ? new URL(resultUrl).pathname : '';
      ctx.expect([`/v2/pre-recorded/${id}`, `/v2/transcription/${id}`].includes(path), { message: 'result_url does not name the job', expected: `an absolute URL of /v2/pre-recorded/${id}`, received: String(resultUrl), call, pointer: '#/components/schemas/InitPreRecordedResponse/properties/result_url' });
      return id;
    });
    await ctx.step('a new job is queued, with no result and no completed_at yet', async () => {
      const read = await readJob(ctx, id);
      const status = statusOf(read);
      if (status === 'done' || status === 'error') throw new SkipStep('the job had finished before it was first read', { goOn: true });
      ctx.expect(status === 'queued' || status === 'processing', { message: 'A new job is not queued', expected: 'queued (or processing, on a fast target)', received: status, call: read.call, pointer: '#/components/schemas/JobStatus' });
      expectConsistent(ctx, read.call, read.job!);
    });
    await ctx.step('it moves queued → processing → done, completed_at and result set only at the end', async () => {
      const end = await untilFinished(ctx, id);
      ctx.expect(end.status === 'done', { message: 'A valid job did not finish as done', expected: 'done', received: `${end.status}${end.job?.error_code ? ` (error_code ${end.job.error_code})` : ''}`, call: end.call });
    });
    await ctx.step('the result is the recording\'s words and duration', async () => {
      const { call, job } = await readJob(ctx, id);
      const transcript = job?.result?.transcription?.full_transcript;
      ctx.expect(sameText(transcript, SPEECH_TEXT), { message: 'The transcript is not what the recording says', expected: JSON.stringify(SPEECH_TEXT), received: JSON.stringify(transcript ?? null), call, pointer: '#/components/schemas/Transcription/properties/full_transcript' });
      const duration = job?.result?.metadata?.audio_duration;
      ctx.expect(near(duration, uploaded.audio_metadata.audio_duration), { message: 'The result\'s audio_duration is not the upload\'s', expected: `${uploaded.audio_metadata.audio_duration} ± 0.05`, received: String(duration), call, pointer: '#/components/schemas/TranscriptionMetadata/properties/audio_duration' });
    });
    await ctx.step('request_params echoes the options with the defaults, and custom_metadata is kept', async () => {
      const { call, job } = await readJob(ctx, id);
      const params = job?.request_params ?? {};
      const expected = { audio_url: uploaded.audio_url, ...OPTIONS, ...DEFAULTS };
      const wrong = Object.entries(expected).filter(([key, value]) => JSON.stringify(params[key]) !== JSON.stringify(value)).map(([key]) => `${key}: ${JSON.stringify(params[key])}`);
      ctx.expect(wrong.length === 0, { message: 'request_params does not echo the request and the defaults', expected: JSON.stringify(expected), received: wrong.join(', '), call, pointer: '#/components/schemas/PreRecordedRequestParams' });
      ctx.expect(JSON.stringify(job?.custom_metadata) === JSON.stringify({ conformance: tag }), { message: 'custom_metadata is not kept', expected: JSON.stringify({ conformance: tag }), received: JSON.stringify(job?.custom_metadata ?? null), call, pointer: '#/components/schemas/PreRecordedResponse/properties/custom_metadata' });
    });
    await ctx.step('file describes the uploaded audio', async () => {
      const { call, job } = await readJob(ctx, id);
      const meta = uploaded.audio_metadata;
      const expected = { id: meta.id, filename: meta.filename, source: null, audio_duration: meta.audio_duration, number_of_channels: meta.number_of_channels };
      const file = job?.file;
      ctx.expect(file?.id === meta.id && file.filename === meta.filename && file.source === null && near(file.audio_duration, meta.audio_duration) && file.number_of_channels === meta.number_of_channels, { message: 'The job\'s file is not the upload', expected: JSON.stringify(expected), received: JSON.stringify(file ?? null), call, pointer: '#/components/schemas/FileInfo' });
    });
  },
};
