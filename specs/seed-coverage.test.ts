// Every operation the source documents (../shared/seeds/) describe, and the spec that must
// carry it. The list is written from the seed documents by hand: when a seed changes, this
// table is where the gap shows.
import { describe, expect, it } from 'vitest';
import { listOperations, loadSpec, type SpecName } from '../openapi/specs.ts';

const SEED_OPERATIONS: Record<string, { spec: SpecName; operations: string[] }> = {
  '000_71b1e18e8474d07c.txt (Cadence)': {
    spec: 'cadence',
    operations: [
      'POST /api/1.1/wf/create_job', // Book a new call
      'GET /api/1.1/obj/language', // "Accepted languages and their ids can be found here (JSON)"
      'POST /cadence/twilio', // Twilio API: requests via HTTP POST, 202, then a callback
    ],
  },
  '001_16f3f9806523ab5d.txt (Speechmatics)': {
    spec: 'speechmatics',
    operations: [
      'POST /v2/jobs',
      'GET /v2/jobs',
      'GET /v2/jobs/{jobid}',
      'DELETE /v2/jobs/{jobid}',
      'GET /v2/jobs/{jobid}/transcript',
      'GET /v2/jobs/{jobid}/alignment',
      'GET /v2/jobs/{jobid}/data',
      'GET /v2/jobs/{jobid}/text',
      'GET /v2/usage',
    ],
  },
  '002_4bd55db711fa7351.txt (AssemblyAI)': {
    spec: 'assemblyai',
    operations: ['POST /v2/stream'],
  },
  '003_15c32142042c2154.txt (Gladia)': {
    spec: 'gladia',
    operations: [
      'GET /v2/pre-recorded/{id}', // the page: Get result
      'POST /v2/upload', // listed in the page's navigation
      'POST /v2/pre-recorded',
      'GET /v2/pre-recorded',
      'DELETE /v2/pre-recorded/{id}',
      'GET /v2/pre-recorded/{id}/file',
    ],
  },
  '004_a9e6d11a89044c91.txt (Stenomatic)': {
    spec: 'stenomatic',
    operations: [
      'POST /v1/clients',
      'GET /v1/clients',
      'POST /v1/clients/{client_id}/rooms',
      'GET /v1/clients/{client_id}/rooms',
      'GET /v1/rooms/{room_id}',
      'PATCH /v1/rooms/{room_id}',
      'GET /v1/rooms/{room_id}/passwords',
      'POST /v1/rooms/{room_id}/stream_url',
      'GET /v1/customers/me/api_usage',
      'GET /v1/clients/{client_id}/api_usage',
    ],
  },
};

describe('every operation in the source documents is in a spec', () => {
  for (const [seed, { spec, operations }] of Object.entries(SEED_OPERATIONS)) {
    it(`${seed} → specs for ${spec}`, async () => {
      const { document } = await loadSpec(spec);
      const documented = new Set(listOperations(document).map((op) => `${op.method.toUpperCase()} ${op.path}`));
      expect(operations.filter((op) => !documented.has(op))).toEqual([]);
    });
  }
});
