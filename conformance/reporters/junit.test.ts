import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../types.ts';
import { renderJUnit } from './junit.ts';
import { passingReport, sampleReport, SECRET_TOKEN, TARGET } from './sample-report.ts';

// Read the XML the way a CI tool does: attributes as strings, character references decoded,
// text as written.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  htmlEntities: true,
  trimValues: false,
  parseAttributeValue: false,
  parseTagValue: false,
  isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
});

interface Case {
  name: string;
  classname: string;
  time: string;
  failure?: { message: string; type: string; '#text': string };
  skipped?: { message: string };
}
interface Suite {
  name: string;
  tests: string;
  failures: string;
  errors: string;
  skipped: string;
  time: string;
  properties: { property: { name: string; value: string }[] };
  testcase: Case[];
}
interface Parsed {
  testsuites: { name: string; tests: string; failures: string; skipped: string; errors: string; time: string; testsuite: Suite[] };
}

function parse(report: RunReport): Parsed {
  const xml = renderJUnit(report);
  expect(XMLValidator.validate(xml)).toBe(true);
  // fast-xml-parser's validator does not check the XML 1.0 character set; a NUL here would
  // still break stricter readers (Jenkins, GitLab), so look for one ourselves.
  expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/);
  return parser.parse(xml) as Parsed;
}

const xml = renderJUnit(sampleReport);
const { testsuites } = parse(sampleReport);
const [fetch, del, negative] = testsuites.testsuite;

describe('the JUnit report', () => {
  it('is well-formed XML with a declaration', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    expect(XMLValidator.validate(xml)).toBe(true);
  });

  it('counts steps as tests on <testsuites>, with the wall time in seconds', () => {
    expect(testsuites).toMatchObject({
      name: 'speechdouble conform speechmatics',
      tests: '10',
      failures: '3',
      errors: '0',
      skipped: '1',
      time: '4.321',
    });
  });

  it('has one <testsuite> per group, named by its title, with its own counts and time', () => {
    expect(testsuites.testsuite.map((s) => [s.name, s.tests, s.failures, s.skipped, s.time])).toEqual([
      ['Submit a job and fetch its transcript', '4', '0', '0', '1.000'],
      ['Delete a job & see it gone', '3', '1', '1', '2.200'],
      ['Negative cases', '3', '2', '0', '1.100'],
    ]);
  });

  it('gives every suite the api, the target, the kind, the group name and the run\'s coverage as properties', () => {
    expect(negative!.properties.property).toEqual([
      { name: 'api', value: 'speechmatics' },
      { name: 'target', value: TARGET },
      { name: 'kind', value: 'negative' },
      { name: 'scenario', value: 'negative-cases' },
      // Exercised: a valid request answered with a documented success (deleteJob only saw a 500).
      { name: 'operations exercised', value: '4/6 (66%)' },
      { name: 'documented statuses exercised', value: '5/16 (31%)' },
    ]);
  });

  it('has one <testcase> per step, classed by api and group, timed in seconds', () => {
    expect(fetch!.testcase.map((c) => [c.name, c.classname, c.time])).toEqual([
      ['submit a job', 'speechdouble.speechmatics.submit-and-fetch', '0.120'],
      ['wait until it is done', 'speechdouble.speechmatics.submit-and-fetch', '0.640'],
      ['fetch the transcript as text', 'speechdouble.speechmatics.submit-and-fetch', '0.090'],
      ['download the audio', 'speechdouble.speechmatics.submit-and-fetch', '0.150'],
    ]);
    expect(fetch!.testcase.every((c) => c.failure === undefined && c.skipped === undefined)).toBe(true);
  });

  it('marks a skipped step <skipped> with its reason', () => {
    expect(del!.testcase[2]).toMatchObject({
      name: 'the job expires after seven days',
      skipped: { message: 'needs seven days of real time' },
    });
  });

  it('gives a failed step one <failure> typed by its checks, whose body lists every failure in full', () => {
    const failure = del!.testcase[1]!.failure!;
    expect(failure.type).toBe('status_code_documented, deleted_job_is_gone');
    expect(failure.message).toBe('The response status is not documented for DELETE /v2/jobs/{jobid} (and 1 more failure)');
    const body = failure['#text'];
    expect(body).toContain('1) status_code_documented: The response status is not documented');
    expect(body).toContain('   expected: one of 200, 401, 404\n   received: 500\n');
    expect(body).toContain('   spec:     #/paths/~1v2~1jobs~1{jobid}/delete/responses');
    expect(body).toContain("   repro:    curl -sS -X DELETE 'http://localhost:4010/v2/jobs/job-2' -H 'authorization: Bearer REDACTED'");
    expect(body).toContain('2) deleted_job_is_gone: A deleted job can still be fetched');
    expect(body).toContain('   spec:     #/paths/~1v2~1jobs~1{jobid}/get/responses/404');
  });

  it('keeps <, &, quotes intact through escaping and shows a NUL as \\x00', () => {
    const body = del!.testcase[1]!.failure!['#text'];
    expect(body).toContain('"data_name": "<a&b> \'quoted\' \\"double\\"",');
    expect(body).toContain('"note": "nul:\\x00end"');
    expect(xml).toContain('&lt;a&amp;b&gt;');
  });

  it('keeps a multi-line message and awkward characters in attributes', () => {
    const report = { ...sampleReport, groups: structuredClone(sampleReport.groups) };
    const step = report.groups[2]!.steps[1]!;
    step.name = `unknown "job" <id> & 'friends'\u0000`;
    step.failures[0]!.message = 'line one\nline two\ttabbed \uffff \ud800';
    const { testsuites: parsed } = parse(report);
    const testcase = parsed.testsuite[2]!.testcase[1]!;
    expect(testcase.name).toBe(`unknown "job" <id> & 'friends'\\x00`);
    expect(testcase.failure!.message).toBe('line one\nline two\ttabbed \\uffff \\ud800');
  });

  it('does not print the credential the runner sent', () => {
    expect(xml).not.toContain(SECRET_TOKEN);
  });

  it('reports a passing run with no failures', () => {
    const { testsuites: parsed } = parse(passingReport);
    expect(parsed).toMatchObject({ tests: '4', failures: '0', skipped: '0' });
    expect(renderJUnit(passingReport)).not.toContain('<failure');
  });
});
