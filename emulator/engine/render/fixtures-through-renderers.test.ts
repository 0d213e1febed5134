// The end-to-end promise of the engine: every committed speech fixture, in every format, comes
// out of every vendor's renderer as its true words, in a body its spec accepts.
import { readFileSync } from 'node:fs';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import { parseSync } from 'subtitle';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeErrors, type ValidateFunction } from '../../../openapi/schemas.ts';
import { componentValidators } from '../../testing/spec-schemas.ts';
import { createEngine, type Engine } from '../engine.ts';
import { FIXTURES_DIR } from '../fixtures.ts';
import { probeFile } from '../probe.ts';
import { splitWords } from '../tokenize.ts';
import type { Transcript } from '../transcript.ts';
import { renderStreamResponse, renderTranscriptFields } from './assemblyai.ts';
import { renderTranscriptionPdf } from './cadence-document.ts';
import { renderGladiaResult } from './gladia.ts';
import { renderJsonV2, renderSrt, renderTxt } from './speechmatics.ts';

interface ManifestFile { file: string; id: string }
const manifest = JSON.parse(readFileSync(FIXTURES_DIR + 'manifest.json', 'utf8')) as { files: ManifestFile[] };
const truthText = (id: string) => (JSON.parse(readFileSync(`${FIXTURES_DIR}${id}.json`, 'utf8')) as { text?: string; expect?: string }).text ?? '';
const speechFiles = manifest.files.filter((f) => truthText(f.id) !== '');
const STANDARD_FONTS = new URL('../../../node_modules/pdfjs-dist/standard_fonts/', import.meta.url).pathname;

let engine: Engine;
let validate: Record<'jsonV2' | 'gladia' | 'stream' | 'transcript', ValidateFunction>;
beforeAll(async () => {
  engine = await createEngine();
  const [speechmatics, gladia, assemblyai] = await Promise.all([
    componentValidators('speechmatics', ['RetrieveTranscriptResponse']),
    componentValidators('gladia', ['TranscriptionResult']),
    componentValidators('assemblyai', ['StreamTranscript', 'Transcript']),
  ]);
  validate = { jsonV2: speechmatics.RetrieveTranscriptResponse, gladia: gladia.TranscriptionResult, stream: assemblyai.StreamTranscript, transcript: assemblyai.Transcript };
});

const words = (text: string) => splitWords(text).filter((w) => !/^[.,?!;:]$/.test(w));

function expectValid(check: ValidateFunction, body: unknown): void {
  expect(check(body), describeErrors(check.errors)).toBe(true);
}

describe.each(speechFiles.map((f) => [f.file, f.id]))('%s', (file, id) => {
  let transcript: Transcript;
  const truth = truthText(id);
  beforeAll(async () => {
    const path = FIXTURES_DIR + file;
    transcript = await engine.transcribe({ audio: await probeFile(path), path, diarization: 'speaker' });
  });

  it('Speechmatics json-v2, txt and srt say the true words', () => {
    const job = { id: 'a1b2c3d4e5', created_at: '2026-11-21T09:30:00.000Z', data_name: file, duration: Math.round(transcript.durationSeconds) };
    const json = renderJsonV2(transcript, {}, { job, createdAt: '2026-11-21T09:30:05.123456Z', transcriptionConfig: { language: transcript.language, diarization: 'speaker' } });
    expectValid(validate.jsonV2, json);
    const contents = json.results.filter((r) => r.type === 'word').map((r) => r.alternatives![0]!.content);
    expect(contents).toEqual(words(truth));
    expect(renderTxt(transcript, { diarization: 'none' }).trim()).toBe(truth);
    const cues = parseSync(renderSrt(transcript)).filter((n) => n.type === 'cue');
    expect(cues.map((c) => (c.data as { text: string }).text.replace(/\n/g, ' ')).join(' ')).toBe(truth);
  });

  it('the Gladia result says the true words', () => {
    const result = renderGladiaResult(transcript, {}, { requestParams: { diarization: true, subtitles: true, subtitles_config: { formats: ['srt', 'vtt'] } }, transcriptionTimeSeconds: 1 });
    expectValid(validate.gladia, result);
    expect(result.transcription.full_transcript).toBe(truth);
  });

  it('AssemblyAI /v2/stream and the transcript fields say the true words', () => {
    const stream = renderStreamResponse(transcript, { id: '5551722-f677-48a6-9287-39c0aafd9ac1', created: '2026-11-21 09:30:00.000000', punctuate: true, formatText: true });
    expectValid(validate.stream, stream);
    expect(stream.text).toBe(truth);
    const fields = renderTranscriptFields(transcript, { speakerLabels: true });
    expect(fields.text).toBe(truth);
  });

  it('the Cadence document (a real PDF) holds every true word', async () => {
    const pdf = await renderTranscriptionPdf(transcript, { requestSid: 'XR' + '0'.repeat(32) });
    const doc = await pdfjs.getDocument({ data: pdf.slice(), standardFontDataUrl: STANDARD_FONTS }).promise;
    let text = '';
    for (let p = 1; p <= doc.numPages; p++) {
      const content = await (await doc.getPage(p)).getTextContent();
      text += content.items.map((item) => ('str' in item ? item.str : '')).join(' ') + ' ';
    }
    // Helvetica's WinAnsi set covers these languages' letters, so the words appear unchanged.
    for (const word of words(truth)) expect(text).toContain(word.replace(/^¿/, ''));
  });
});
