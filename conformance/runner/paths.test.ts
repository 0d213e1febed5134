// Path templates and the paths made from them: a negative case keeps the parameter it breaks
// and aims at real resources for the rest.
import { describe, expect, it } from 'vitest';
import { pathParamNames, rawPathParams, replacePathParams, resourcePathOf } from './paths.ts';

describe('path templates', () => {
  it('name their parameters in order, and read each one\'s segment of a filled path as sent', () => {
    expect(pathParamNames('/v2/transcript/{transcript_id}/{subtitle_format}')).toEqual(['transcript_id', 'subtitle_format']);
    expect(rawPathParams('/v2/transcript/{transcript_id}/{subtitle_format}', '/v2/transcript/a%2Fb/srt')).toEqual({ transcript_id: 'a%2Fb', subtitle_format: 'srt' });
    expect(rawPathParams('/v2/jobs/{jobid}', '/v2/other/x')).toBeUndefined();
  });

  it('replace only the parameters given, keeping the others exactly as they were sent', () => {
    const template = '/v1/clients/{client_id}/rooms/{room_id}';
    const broken = '/v1/clients/b2740465/rooms/!!%20x';
    expect(replacePathParams(template, broken, { client_id: 'real client' })).toBe('/v1/clients/real%20client/rooms/!!%20x');
    expect(replacePathParams(template, broken, {})).toBe(broken);
  });

  it('find the resource a path is about: the template to its first parameter, and the collection before it', () => {
    expect(resourcePathOf('/v2/jobs/{jobid}/transcript')).toEqual({ itemPath: '/v2/jobs/{jobid}', collection: '/v2/jobs', param: 'jobid' });
    expect(resourcePathOf('/v1/clients/{client_id}/rooms')).toEqual({ itemPath: '/v1/clients/{client_id}', collection: '/v1/clients', param: 'client_id' });
    expect(resourcePathOf('/v2/usage')).toBeUndefined();
  });
});
