import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../types.ts';
import { describeBody, MAX_TEXT_BYTES, renderJson } from './json.ts';
import { curlLine, redactRequest } from './common.ts';
import { passingReport, sampleReport, SECRET_TOKEN, STILL_THERE_BODY, WAV_BYTES } from './sample-report.ts';

const doc = renderJson(sampleReport);
const exchange = (id: number) => doc.exchanges.find((e) => e.id === id)!;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('the JSON report', () => {
  it('survives JSON.stringify and JSON.parse unchanged', () => {
    expect(JSON.parse(JSON.stringify(doc))).toStrictEqual(doc);
  });

  it('keeps the report’s own fields and structure', () => {
    expect(doc).toMatchObject({
      version: 2,
      api: 'speechmatics',
      target: sampleReport.target,
      startedAt: sampleReport.startedAt,
      durationMs: 4321,
    });
    expect(doc.groups).toStrictEqual(sampleReport.groups);
    expect(doc.exchanges.map((e) => [e.id, e.step, e.operation.operationId, e.durationMs])).toEqual(
      sampleReport.exchanges.map((e) => [e.id, e.step, e.operation.operationId, e.durationMs]),
    );
  });

  it('sums up the run, and does not conform when there is any failure', () => {
    expect(doc.summary).toEqual({ passed: 6, failed: 3, skipped: 1, failures: 4, conforms: false });
    expect(renderJson(passingReport).summary).toEqual({ passed: 4, failed: 0, skipped: 0, failures: 0, conforms: true });
  });

  it('replaces a JSON or text body with its size, digest and text', () => {
    const body = Buffer.from(STILL_THERE_BODY);
    expect(exchange(7).response!.body).toEqual({ bytes: body.length, sha256: sha256(body), text: STILL_THERE_BODY });
    expect(exchange(3).response!.body.text).toBe('Hello world.\nGoodbye — world.\n');
  });

  it('summarises a binary body without dumping it', () => {
    expect(exchange(4).response!.body).toStrictEqual({ bytes: WAV_BYTES.length, sha256: sha256(WAV_BYTES) });
    // The multipart upload carries the same audio, so it is not UTF-8 either.
    expect(exchange(1).request.body).not.toHaveProperty('text');
    expect(JSON.stringify(doc)).not.toContain('"type":"Buffer"');
  });

  it('leaves out the text of a body over 64 KiB, even when it is text', () => {
    expect(describeBody(Buffer.alloc(MAX_TEXT_BYTES, 'a')).text).toHaveLength(MAX_TEXT_BYTES);
    expect(describeBody(Buffer.alloc(MAX_TEXT_BYTES + 1, 'a'))).not.toHaveProperty('text');
  });

  it('omits the response of an exchange that got none, and keeps its error', () => {
    expect(exchange(10)).not.toHaveProperty('response');
    expect(exchange(10).error).toBe('socket hang up');
    expect(exchange(2)).not.toHaveProperty('request.body');
  });

  it('gives every exchange the curl line that repeats it, without the credential', () => {
    for (const original of sampleReport.exchanges) {
      expect(exchange(original.id).curl).toBe(curlLine(redactRequest(original.request), { exchangeId: original.id }));
    }
    // A binary body is never pointed at a file that does not exist: the line says --report-dir writes it.
    expect(exchange(1).curl).toMatch(/--data-binary '@exchange-1\.body' # the 176 bytes of the body are not shown: --report-dir DIR writes them to DIR\/exchange-1\.body$/);
    const written = renderJson(sampleReport, { bodyFileOf: (id) => (id === 1 ? 'out/exchange-1.body' : undefined) });
    expect(written.exchanges.find((e) => e.id === 1)!.curl).toMatch(/--data-binary '@out\/exchange-1\.body'$/);
    expect(exchange(1).request.headers.authorization).toBe('Bearer REDACTED');
    expect(JSON.stringify(doc)).not.toContain(SECRET_TOKEN);
  });

  it('adds what coverage means to each operation, and the totals', () => {
    expect(doc.coverage.find((c) => c.operationId === 'deleteJob')).toStrictEqual({
      operationId: 'deleteJob',
      method: 'DELETE',
      path: '/v2/jobs/{jobid}',
      documented: ['200', '401', '404'],
      seen: [500],
      statuses: [
        { code: '200', seen: false },
        { code: '401', seen: false },
        { code: '404', seen: false },
      ],
      undocumented: [500],
      answered: true,
      exercised: false,
    });
    expect(doc.coverageTotals).toEqual({ operations: { exercised: 4, total: 6 }, statuses: { exercised: 5, total: 16 } });
  });

  it('drops fields the runner left undefined, so the round trip stays exact', () => {
    const report: RunReport = {
      ...sampleReport,
      groups: [
        {
          ...sampleReport.groups[0]!,
          steps: [{ ...sampleReport.groups[0]!.steps[0]!, skippedReason: undefined }],
        },
      ],
      exchanges: [{ ...sampleReport.exchanges[1]!, response: undefined, error: undefined, durationMs: Number.NaN }],
    };
    const json = renderJson(report);
    expect(JSON.parse(JSON.stringify(json))).toStrictEqual(json);
    expect(json.groups[0]!.steps[0]).not.toHaveProperty('skippedReason');
    expect(json.exchanges[0]!.durationMs).toBe(0);
  });
});
