import { describe, expect, it } from 'vitest';
import { renderConsole } from './console.ts';
import { curlLine, redactRequest } from './common.ts';
import { passingReport, sampleReport, SECRET_TOKEN, TARGET } from './sample-report.ts';

const ANSI = /\u001b\[/;
const text = renderConsole(sampleReport);
const lines = text.split('\n');

describe('the console report', () => {
  it('opens with the api, the target, the start time and the wall time', () => {
    expect(lines.slice(0, 4)).toEqual([
      'speechdouble conform: speechmatics',
      `  target   ${TARGET}`,
      '  started  2025-03-14T09:26:53.000Z',
      '  wall     4.3 s',
    ]);
  });

  it('says whose clock the run moved, when it moved one', () => {
    expect(renderConsole({ ...sampleReport, clock: 'tenant' }).split('\n')[4]).toBe("  clock    the run's own tenants' clocks (no one else's time moved)");
    expect(renderConsole({ ...sampleReport, clock: 'global' }).split('\n')[4]).toBe("  clock    the target's one clock (every tenant's time moved with it)");
    expect(renderConsole({ ...sampleReport, clock: 'none' }).split('\n')[4]).toContain('waited in real time');
  });

  it('has one section per group, titled with its kind, title and name', () => {
    expect(text).toContain('[scenario] Submit a job and fetch its transcript (submit-and-fetch) · 4 passed · 1.0 s');
    expect(text).toContain('[scenario] Delete a job & see it gone (delete-job) · 1 passed, 1 failed, 1 skipped · 2.2 s');
    expect(text).toContain('[negative] Negative cases (negative-cases) · 1 passed, 2 failed · 1.1 s');
  });

  it('marks each step passed, failed or skipped, a skipped one with its reason', () => {
    expect(lines).toContain('  ✓ submit a job  120 ms');
    expect(lines).toContain('  ✗ delete the job  2.1 s');
    expect(lines).toContain('  - the job expires after seven days  skipped: needs seven days of real time');
  });

  it('shows every failure with expected, received, spec pointer and a curl repro', () => {
    const exchanges = new Map(sampleReport.exchanges.map((e) => [e.id, e]));
    for (const failure of sampleReport.groups.flatMap((g) => g.steps.flatMap((s) => s.failures))) {
      expect(text).toContain(`${failure.check}: ${failure.message}`);
      expect(text).toContain(failure.expected);
      expect(text).toContain(curlLine(redactRequest(exchanges.get(failure.exchangeId)!.request), { exchangeId: failure.exchangeId }));
      if (failure.pointer) expect(text).toContain(`spec:     ${failure.pointer}`);
    }
    expect(text).toContain('         received: 500');
    expect(text).toContain('         spec:     (no pointer given)');
  });

  it('puts a multi-line received value under its label, indented, with control characters escaped', () => {
    const at = lines.indexOf('         received:');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 4)).toEqual(['           200 {', '             "job": {', '               "id": "job-2",']);
    expect(text).toContain('"note": "nul:\\x00end"');
    expect(text).not.toContain('\u0000');
  });

  it('never prints the credential the runner sent', () => {
    expect(text).not.toContain(SECRET_TOKEN);
    expect(text).toContain("-H 'authorization: Bearer REDACTED'");
  });

  it('clips a long received value and says how much was cut, unless verbose', () => {
    const huge = 'y'.repeat(5000);
    const report = { ...sampleReport, groups: structuredClone(sampleReport.groups) };
    report.groups[2]!.steps[1]!.failures[0]!.received = huge;
    expect(renderConsole(report)).toContain(`received: ${'y'.repeat(1200)} … (3800 more characters)`);
    expect(renderConsole(report, { verbose: true })).toContain(`received: ${huge}\n`);
  });

  it('lists each step’s exchanges when verbose', () => {
    const verbose = renderConsole(sampleReport, { verbose: true });
    expect(verbose).toContain(`      #6 DELETE ${TARGET}/v2/jobs/job-2 → 500 (60 ms)`);
    expect(verbose).toContain(`      #10 POST ${TARGET}/v2/jobs → no response: socket hang up (100 ms)`);
    expect(text).not.toContain('#6 DELETE');
  });

  it('tabulates coverage: documented codes seen (✓) or not (·), undocumented ones apart, and totals', () => {
    const row = (operationId: string) => lines.find((line) => line.includes(` ${operationId} `))!.replace(/ +/g, ' ');
    expect(row('createJob')).toBe(' POST /v2/jobs createJob 201✓ 400✓ 401·');
    expect(row('deleteJob')).toBe(' DELETE /v2/jobs/{jobid} deleteJob 200· 401· 404· 500');
    expect(row('getJobData')).toBe(' GET /v2/jobs/{jobid}/data getJobData 200✓ 404·');
    expect(row('getJobTranscript')).toBe(' GET /v2/jobs/{jobid}/transcript getJobTranscript 200✓ 404· 5XX·');
    expect(row('listJobs')).toBe(' GET /v2/jobs listJobs 200· default· not exercised');
    expect(text).toContain('  operations exercised: 4/6 (66%) (answered a valid request with a documented success)');
    expect(text).toContain('  documented statuses exercised: 5/16 (31%)');
  });

  it('lines the coverage columns up', () => {
    const table = lines.slice(lines.indexOf('Coverage') + 1, lines.indexOf('Coverage') + 8);
    const column = (header: string) => table[0]!.indexOf(header);
    for (const line of table.slice(1)) {
      expect(line.indexOf('/v2/jobs')).toBe(column('PATH'));
    }
  });

  it('ends with the tally and the verdict', () => {
    expect(lines.at(-3)).toBe('10 steps: 6 passed, 3 failed, 1 skipped · 4 failures · 4.3 s');
    expect(lines.at(-2)).toBe('DOES NOT CONFORM (4 failures)');
    expect(text.endsWith('\n')).toBe(true);
    expect(renderConsole(passingReport).trimEnd().split('\n').at(-1)).toBe('CONFORMS');
  });

  it('says what the command noticed about the run as a whole just before the tally', () => {
    const noted = renderConsole(sampleReport, { notes: ['every request got 404: is --target the API\'s base URL?'] }).trimEnd().split('\n');
    expect(noted.slice(-5)).toEqual(['', 'note: every request got 404: is --target the API\'s base URL?', '', '10 steps: 6 passed, 3 failed, 1 skipped · 4 failures · 4.3 s', 'DOES NOT CONFORM (4 failures)']);
  });

  it('points a repro line for a binary body at the file --report-dir wrote, or says it writes one', () => {
    // Exchange 1 sends a multipart body with audio in it: not something a terminal line can hold.
    const report = { ...sampleReport, groups: structuredClone(sampleReport.groups) };
    report.groups[0]!.steps[0]!.failures.push({ check: 'not_a_server_error', message: 'boom', expected: 'not 5xx', received: '500', exchangeId: 1 });
    expect(renderConsole(report)).toMatch(/--data-binary '@exchange-1\.body' # the 176 bytes of the body are not shown: --report-dir DIR writes them to DIR\/exchange-1\.body\n/);
    const written = renderConsole(report, { bodyFileOf: (id) => (id === 1 ? 'out/exchange-1.body' : undefined) });
    expect(written).toContain(curlLine(redactRequest(sampleReport.exchanges[0]!.request), { exchangeId: 1, file: 'out/exchange-1.body' }));
    expect(written).toMatch(/--data-binary '@out\/exchange-1\.body'\n/);
  });

  it('uses no ANSI codes unless asked for colour', () => {
    expect(text).not.toMatch(ANSI);
    expect(renderConsole(sampleReport, { verbose: true })).not.toMatch(ANSI);
    const coloured = renderConsole(sampleReport, { color: true });
    expect(coloured).toMatch(ANSI);
    // Colour changes nothing but the escape codes.
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(text);
  });

  it('keeps escape codes from a hostile response out of the terminal', () => {
    const report = { ...sampleReport, groups: structuredClone(sampleReport.groups) };
    report.groups[2]!.steps[1]!.failures[0]!.received = '\u001b[2J\u001b[31mgotcha';
    expect(renderConsole(report)).not.toMatch(ANSI);
  });
});
