import { describe, expect, it } from 'vitest';
import {
  clip,
  coverageRows,
  credentialValues,
  scrubReport,
  secretScrubber,
  coverageTotals,
  documentedCodeFor,
  failureLines,
  formatDuration,
  formatRatio,
  printable,
  redactRequest,
  summarise,
  verdict,
} from './common.ts';
import { passingReport, sampleReport, SECRET_TOKEN } from './sample-report.ts';

describe('the tally', () => {
  it('counts steps by outcome and check failures across all steps', () => {
    expect(summarise(sampleReport)).toEqual({ passed: 6, failed: 3, skipped: 1, failures: 4, conforms: false });
    expect(verdict(summarise(sampleReport))).toBe('DOES NOT CONFORM (4 failures)');
  });

  it('conforms only when nothing failed', () => {
    expect(summarise(passingReport).conforms).toBe(true);
    expect(verdict(summarise(passingReport))).toBe('CONFORMS');
  });

  it('does not conform when a step failed without a check failure, and says so in steps', () => {
    const report = {
      ...passingReport,
      groups: [{ ...passingReport.groups[0]!, steps: [{ ...passingReport.groups[0]!.steps[0]!, outcome: 'failed' as const }] }],
    };
    expect(verdict(summarise(report))).toBe('DOES NOT CONFORM (1 failed step)');
  });
});

describe('coverage', () => {
  it('files a status under its exact code, then its range, then default', () => {
    expect(documentedCodeFor(404, ['200', '404', '4XX', 'default'])).toBe('404');
    expect(documentedCodeFor(418, ['200', '404', '4XX', 'default'])).toBe('4XX');
    expect(documentedCodeFor(418, ['200', '4xx'])).toBe('4xx');
    expect(documentedCodeFor(503, ['200', '4XX', 'default'])).toBe('default');
    expect(documentedCodeFor(503, ['200', '4XX'])).toBeUndefined();
  });

  it('marks each documented code seen or not, and keeps undocumented statuses apart', () => {
    const rows = coverageRows(sampleReport.coverage);
    expect(rows.find((r) => r.operationId === 'createJob')).toMatchObject({
      documented: [
        { code: '201', seen: true },
        { code: '400', seen: true },
        { code: '401', seen: false },
      ],
      undocumented: [],
      answered: true,
      exercised: true,
    });
    // Answered, but only with an undocumented 500: not exercised.
    expect(rows.find((r) => r.operationId === 'deleteJob')).toMatchObject({ undocumented: [500], answered: true, exercised: false });
    expect(rows.find((r) => r.operationId === 'listJobs')).toMatchObject({ undocumented: [], answered: false, exercised: false });
  });

  it('totals operations exercised (a documented success seen) and documented statuses seen', () => {
    const totals = coverageTotals(coverageRows(sampleReport.coverage));
    expect(totals).toEqual({ operations: { exercised: 4, total: 6 }, statuses: { exercised: 5, total: 16 } });
    expect(formatRatio(totals.operations)).toBe('4/6 (66%)');
    expect(formatRatio(totals.statuses)).toBe('5/16 (31%)');
    expect(formatRatio({ exercised: 0, total: 0 })).toBe('0/0');
  });
});

describe('credentials', () => {
  it('are replaced in headers, keeping the scheme, and in query parameters', () => {
    const request = redactRequest({
      method: 'GET',
      url: 'https://api.example.com/v1/x?api_key=abc&lang=en',
      headers: { authorization: `Bearer ${SECRET_TOKEN}`, 'x-gladia-key': 'k', 'content-type': 'application/json' },
    });
    expect(request.headers).toEqual({
      authorization: 'Bearer REDACTED',
      'x-gladia-key': 'REDACTED',
      'content-type': 'application/json',
    });
    expect(request.url).toBe('https://api.example.com/v1/x?api_key=REDACTED&lang=en');
  });

  it('leave a URL without secrets exactly as it was', () => {
    const url = 'http://localhost:4010/v2/jobs/a%20b?format=txt&x';
    expect(redactRequest({ method: 'GET', url, headers: {} }).url).toBe(url);
  });
});

describe('text', () => {
  it('shows control characters as escapes and keeps tabs and newlines', () => {
    expect(printable('a\u0000b\u001b[31mc\r\nd\te')).toBe('a\\x00b\\x1b[31mc\nd\te');
  });

  it('clips long values and says how much was cut', () => {
    expect(clip('x'.repeat(50), { maxChars: 10, maxLines: 5 })).toBe(`${'x'.repeat(10)} … (40 more characters)`);
    expect(clip('1\n2\n3\n4', { maxChars: 100, maxLines: 2 })).toBe('1\n2\n… (4 more characters)');
    expect(clip('short', { maxChars: 10, maxLines: 5 })).toBe('short');
  });

  it('writes a failure with expected, received, pointer and repro, multi-line values indented', () => {
    const exchanges = new Map(sampleReport.exchanges.map((e) => [e.id, e]));
    const failure = sampleReport.groups[1]!.steps[1]!.failures[1]!;
    const lines = failureLines(failure, 2, exchanges, { limits: { maxChars: 1000, maxLines: 100 } });
    expect(lines[0]).toBe('2) deleted_job_is_gone: A deleted job can still be fetched');
    expect(lines).toContain('   expected: 404 with an error body');
    expect(lines).toContain('   received:');
    expect(lines).toContain('     200 {');
    expect(lines).toContain('   spec:     #/paths/~1v2~1jobs~1{jobid}/get/responses/404');
    expect(lines.at(-1)).toBe(
      "   repro:    curl -sS -X GET 'http://localhost:4010/v2/jobs/job-2' -H 'authorization: Bearer REDACTED'",
    );
  });

  it('formats durations for people', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(4321)).toBe('4.3 s');
    expect(formatDuration(125_000)).toBe('2m 05s');
  });

  it('scrubs the credentials a run was given wherever they travel: headers, queries, bodies, echoes', () => {
    const scrub = secretScrubber(credentialValues([{ token: 'sk-live-0123456789', basic: 'user:pass-word' }, { token: 'k2' }]));
    expect(scrub.header('Bearer sk-live-0123456789')).toBe('Bearer REDACTED');
    expect(scrub.header(`Basic ${Buffer.from('user:pass-word').toString('base64')}`)).toBe('Basic REDACTED');
    // A short key is replaced where it is a whole value, never inside other text.
    expect(scrub.header('k2')).toBe('REDACTED');
    expect(scrub.url('http://h/v1?api_key=k2&q=k2x')).toBe('http://h/v1?api_key=REDACTED&q=k2x');
    expect(scrub.text('ok2 {"api_token":"sk-live-0123456789"}')).toBe('ok2 {"api_token":"REDACTED"}');
    expect(scrub.bytes(Buffer.from('--b\r\napi_token=sk-live-0123456789\r\n')).toString()).toBe('--b\r\napi_token=REDACTED\r\n');

    const report = scrubReport({
      ...sampleReport,
      exchanges: sampleReport.exchanges.map((e) => (e.id === 2 ? { ...e, request: { ...e.request, body: Buffer.from('{"api_token":"sk-live-0123456789"}') }, response: { status: 400, headers: { 'x-echo': 'sk-live-0123456789' }, body: Buffer.from('bad key sk-live-0123456789') } } : e)),
    }, scrub);
    const two = report.exchanges.find((e) => e.id === 2)!;
    expect([two.request.body!.toString(), two.response!.headers['x-echo'], two.response!.body.toString()]).toEqual(['{"api_token":"REDACTED"}', 'REDACTED', 'bad key REDACTED']);
    expect(report.exchanges.find((e) => e.id === 4)!.response!.body).toEqual(sampleReport.exchanges.find((e) => e.id === 4)!.response!.body);
  });
});
