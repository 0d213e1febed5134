import { describe, expect, it } from 'vitest';
import {
  clip,
  coverageRows,
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
});
