// A hand-made RunReport the reporter tests share. It holds one of everything a reporter has to
// render: a scenario that passes, a scenario with a failed step (two failures, one with a
// multi-line received body full of characters that break XML and terminals) and a skipped step,
// a negative-cases group (one failure without a spec pointer, one exchange that got no response),
// JSON, text and binary bodies, a credential that must not leak, and coverage with documented
// codes seen and unseen, a range code, `default`, and an undocumented code.
//
// Tally: 10 steps, 6 passed, 3 failed, 1 skipped; 4 failures. Coverage: 5/6 operations,
// 5/16 documented statuses.

import type { Exchange, OperationTarget, RunReport } from '../types.ts';

export const TARGET = 'http://localhost:4010';
export const SECRET_TOKEN = 'sk-live-do-not-print-me';

/** The received body of the "deleted job is gone" failure: multi-line, with <, &, quotes and a NUL. */
export const STILL_THERE_BODY = [
  '{',
  '  "job": {',
  '    "id": "job-2",',
  '    "status": "done",',
  '    "data_name": "<a&b> \'quoted\' \\"double\\"",',
  '    "note": "nul:\u0000end"',
  '  }',
  '}',
].join('\n');

/** Not valid UTF-8 (0xff never is), so the JSON reporter must summarise it, not decode it. */
export const WAV_BYTES = Buffer.from([0x52, 0x49, 0x46, 0x46, 0xff, 0xfe, 0x00, 0x01, 0x80, 0x81, 0xc3, 0x28]);

const op = (operationId: string, method: string, path: string): OperationTarget => ({
  api: 'speechmatics',
  operationId,
  method,
  path,
  pointer: `#/paths/${path.replace(/~/g, '~0').replace(/\//g, '~1')}/${method.toLowerCase()}`,
});

const createJob = op('createJob', 'POST', '/v2/jobs');
const getJob = op('getJob', 'GET', '/v2/jobs/{jobid}');
const deleteJob = op('deleteJob', 'DELETE', '/v2/jobs/{jobid}');
const getTranscript = op('getJobTranscript', 'GET', '/v2/jobs/{jobid}/transcript');
const getData = op('getJobData', 'GET', '/v2/jobs/{jobid}/data');

const auth = { authorization: `Bearer ${SECRET_TOKEN}` };
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const jsonHeaders = { 'content-type': 'application/json' };

const multipart = Buffer.concat([
  Buffer.from('--b\r\nContent-Disposition: form-data; name="config"\r\n\r\n{"type":"transcription"}\r\n--b\r\n'),
  Buffer.from('Content-Disposition: form-data; name="data_file"; filename="a.wav"\r\n\r\n'),
  WAV_BYTES,
  Buffer.from('\r\n--b--\r\n'),
]);

function exchange(
  id: number,
  step: string,
  operation: OperationTarget,
  method: string,
  url: string,
  response: Exchange['response'],
  extra: Partial<Exchange> & { body?: Buffer; headers?: Record<string, string> } = {},
): Exchange {
  const { body, headers, ...rest } = extra;
  return {
    id,
    operation,
    request: { method, url: `${TARGET}${url}`, headers: { ...auth, ...headers }, ...(body ? { body } : {}) },
    ...(response ? { response } : {}),
    durationMs: 10 * id,
    step,
    ...rest,
  };
}

export const sampleExchanges: Exchange[] = [
  exchange(1, 'submit a job', createJob, 'POST', '/v2/jobs', { status: 201, headers: jsonHeaders, body: json({ id: 'job-1' }) }, {
    body: multipart,
    headers: { 'content-type': 'multipart/form-data; boundary=b' },
  }),
  exchange(2, 'wait until it is done', getJob, 'GET', '/v2/jobs/job-1', {
    status: 200,
    headers: jsonHeaders,
    body: json({ job: { id: 'job-1', status: 'done' } }),
  }),
  exchange(3, 'fetch the transcript as text', getTranscript, 'GET', '/v2/jobs/job-1/transcript?format=txt', {
    status: 200,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: Buffer.from('Hello world.\nGoodbye — world.\n'),
  }),
  exchange(4, 'download the audio', getData, 'GET', '/v2/jobs/job-1/data', {
    status: 200,
    headers: { 'content-type': 'audio/wav' },
    body: WAV_BYTES,
  }),
  exchange(5, 'submit a job', createJob, 'POST', '/v2/jobs', { status: 201, headers: jsonHeaders, body: json({ id: 'job-2' }) }, {
    body: multipart,
    headers: { 'content-type': 'multipart/form-data; boundary=b' },
  }),
  exchange(6, 'delete the job', deleteJob, 'DELETE', '/v2/jobs/job-2', {
    status: 500,
    headers: { 'content-type': 'text/plain' },
    body: Buffer.from('Internal Server Error'),
  }),
  exchange(7, 'delete the job', getJob, 'GET', '/v2/jobs/job-2', {
    status: 200,
    headers: jsonHeaders,
    body: Buffer.from(STILL_THERE_BODY),
  }),
  exchange(8, 'create a job without config → 400', createJob, 'POST', '/v2/jobs', {
    status: 400,
    headers: jsonHeaders,
    body: json({ code: 400, error: 'Missing config' }),
  }),
  exchange(9, 'get an unknown job → 404', getJob, 'GET', '/v2/jobs/does-not-exist', {
    status: 200,
    headers: jsonHeaders,
    body: json({ job: { id: 'does-not-exist' } }),
  }),
  exchange(10, 'create a job with a malformed config → 400', createJob, 'POST', '/v2/jobs', undefined, {
    body: Buffer.from('{"type": '),
    headers: jsonHeaders,
    error: 'socket hang up',
  }),
];

export const sampleReport: RunReport = {
  api: 'speechmatics',
  target: TARGET,
  startedAt: '2025-03-14T09:26:53.000Z',
  durationMs: 4321,
  groups: [
    {
      kind: 'scenario',
      name: 'submit-and-fetch',
      title: 'Submit a job and fetch its transcript',
      durationMs: 1000,
      steps: [
        { name: 'submit a job', outcome: 'passed', failures: [], exchangeIds: [1], durationMs: 120 },
        { name: 'wait until it is done', outcome: 'passed', failures: [], exchangeIds: [2], durationMs: 640 },
        { name: 'fetch the transcript as text', outcome: 'passed', failures: [], exchangeIds: [3], durationMs: 90 },
        { name: 'download the audio', outcome: 'passed', failures: [], exchangeIds: [4], durationMs: 150 },
      ],
    },
    {
      kind: 'scenario',
      name: 'delete-job',
      title: 'Delete a job & see it gone',
      durationMs: 2200,
      steps: [
        { name: 'submit a job', outcome: 'passed', failures: [], exchangeIds: [5], durationMs: 110 },
        {
          name: 'delete the job',
          outcome: 'failed',
          exchangeIds: [6, 7],
          durationMs: 2090,
          failures: [
            {
              check: 'status_code_documented',
              message: 'The response status is not documented for DELETE /v2/jobs/{jobid}',
              expected: 'one of 200, 401, 404',
              received: '500',
              pointer: '#/paths/~1v2~1jobs~1{jobid}/delete/responses',
              exchangeId: 6,
            },
            {
              check: 'deleted_job_is_gone',
              message: 'A deleted job can still be fetched',
              expected: '404 with an error body',
              received: `200 ${STILL_THERE_BODY}`,
              pointer: '#/paths/~1v2~1jobs~1{jobid}/get/responses/404',
              exchangeId: 7,
            },
          ],
        },
        {
          name: 'the job expires after seven days',
          outcome: 'skipped',
          failures: [],
          skippedReason: 'needs seven days of real time',
          exchangeIds: [],
          durationMs: 0,
        },
      ],
    },
    {
      kind: 'negative',
      name: 'negative-cases',
      title: 'Negative cases',
      durationMs: 1100,
      steps: [
        { name: 'create a job without config → 400', outcome: 'passed', failures: [], exchangeIds: [8], durationMs: 40 },
        {
          name: 'get an unknown job → 404',
          outcome: 'failed',
          exchangeIds: [9],
          durationMs: 60,
          failures: [
            {
              check: 'negative_data_rejection',
              message: 'An unknown job id was accepted',
              expected: '404',
              received: '200',
              pointer: '#/paths/~1v2~1jobs~1{jobid}/get/responses/404',
              exchangeId: 9,
            },
          ],
        },
        {
          name: 'create a job with a malformed config → 400',
          outcome: 'failed',
          exchangeIds: [10],
          durationMs: 1000,
          failures: [
            {
              check: 'response_received',
              message: 'The target closed the connection without answering',
              expected: 'an HTTP response',
              received: 'no response: socket hang up',
              exchangeId: 10,
            },
          ],
        },
      ],
    },
  ],
  coverage: [
    { operationId: 'createJob', method: 'POST', path: '/v2/jobs', documented: ['201', '400', '401'], seen: [201, 400], succeeded: true },
    { operationId: 'getJob', method: 'GET', path: '/v2/jobs/{jobid}', documented: ['200', '401', '404'], seen: [200], succeeded: true },
    { operationId: 'deleteJob', method: 'DELETE', path: '/v2/jobs/{jobid}', documented: ['200', '401', '404'], seen: [500], succeeded: false },
    {
      operationId: 'getJobTranscript',
      method: 'GET',
      path: '/v2/jobs/{jobid}/transcript',
      documented: ['200', '404', '5XX'],
      seen: [200],
      succeeded: true,
    },
    { operationId: 'getJobData', method: 'GET', path: '/v2/jobs/{jobid}/data', documented: ['200', '404'], seen: [200], succeeded: true },
    { operationId: 'listJobs', method: 'GET', path: '/v2/jobs', documented: ['200', 'default'], seen: [], succeeded: false },
  ],
  exchanges: sampleExchanges,
};

/** A report in which everything passed. */
export const passingReport: RunReport = {
  ...sampleReport,
  groups: [sampleReport.groups[0]!],
  exchanges: sampleExchanges.slice(0, 4),
};
