import { describe, expect, it } from 'vitest';
import { collectClaimedValues } from './spec-walk.ts';

// A spec fragment with one good and one bad value at each place a value can claim a schema.
const tiny = {
  components: {
    schemas: {
      Job: {
        type: 'object',
        properties: {
          status: { type: 'string', enum: ['running', 'done'], default: 'finished' },
          id: { type: 'string', examples: ['a1b2c3d4e5', 42] },
        },
      },
    },
  },
  paths: {
    '/v2/jobs': {
      get: {
        parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer' }, example: 'ten' }],
        responses: {
          '200': {
            content: {
              'application/json': {
                schema: { type: 'object', required: ['jobs'] },
                examples: { good: { value: { jobs: [] } }, bad: { value: {} } },
              },
            },
          },
        },
      },
    },
  },
};

describe('collectClaimedValues', () => {
  it('finds defaults, schema examples, parameter examples and media-type examples', () => {
    const where = collectClaimedValues(tiny as never).map((c) => c.where);
    expect(where).toEqual(expect.arrayContaining([
      '#/components/schemas/Job/properties/status/default',
      '#/components/schemas/Job/properties/id/examples/0',
      '#/components/schemas/Job/properties/id/examples/1',
      '#/paths/~1v2~1jobs/get/parameters/0/example',
      '#/paths/~1v2~1jobs/get/responses/200/content/application~1json/examples/good',
      '#/paths/~1v2~1jobs/get/responses/200/content/application~1json/examples/bad',
    ]));
  });

  it('pairs each value with the schema it claims to fit', () => {
    const claims = collectClaimedValues(tiny as never);
    const bad = claims.find((c) => c.where.endsWith('/examples/bad'))!;
    expect(bad.schema).toEqual({ type: 'object', required: ['jobs'] });
    expect(bad.value).toEqual({});
  });
});
