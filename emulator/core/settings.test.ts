// Settings per API: defaults from the API, overrides by name, `*` for every API that has
// the name, and a clear refusal for a name or value the API does not know.
import { describe, expect, it } from 'vitest';
import { choiceSetting, numberSetting, parseSettingAssignment, progressionSetting, resolveSettings, SettingError, uploadLimitSetting } from './settings.ts';

const schema = {
  processing: progressionSetting('share:0.5', 2, 'how long'),
  'retention-days': numberSetting(7, 'how long kept'),
  'expired-status': choiceSetting(410, [404, 410] as const, 'what expired answers'),
  'max-upload-mb': uploadLimitSetting(1024, 'largest upload'),
};

describe('settings', () => {
  it('start from the API\'s defaults', () => {
    expect(resolveSettings('api', schema)).toEqual({ processing: { kind: 'share', share: 0.5, minSeconds: 2 }, 'retention-days': 7, 'expired-status': 410, 'max-upload-mb': 2 ** 30 });
  });

  it('take overrides as text or values; the API\'s own win over `*`', () => {
    const values = resolveSettings('api', schema, { '*': { processing: 'immediate', 'retention-days': 1 }, api: { 'retention-days': '3', 'expired-status': 404, 'max-upload-mb': 0.5 } });
    expect(values).toEqual({ processing: { kind: 'immediate' }, 'retention-days': 3, 'expired-status': 404, 'max-upload-mb': 2 ** 19 });
  });

  it('refuse an unknown name (but not under `*`) and a bad value, saying what would do', () => {
    expect(() => resolveSettings('api', schema, { api: { speed: 1 } })).toThrow(new SettingError('api has no setting "speed"; it has: processing, retention-days, expired-status, max-upload-mb'));
    expect(resolveSettings('api', schema, { '*': { speed: 1 } })['retention-days']).toBe(7);
    expect(() => resolveSettings('api', schema, { api: { 'expired-status': 500 } })).toThrow('api.expired-status=500: one of 404, 410');
    expect(() => resolveSettings('api', schema, { api: { 'retention-days': 'never' } })).toThrow('api.retention-days=never: a number greater than 0');
  });

  it('read `api.name=value` as --set gives it, repeatable', () => {
    const once = parseSettingAssignment('speechmatics.retention-days=3');
    expect(parseSettingAssignment('*.processing=reads:2', once)).toEqual({ speechmatics: { 'retention-days': '3' }, '*': { processing: 'reads:2' } });
    expect(() => parseSettingAssignment('retention-days=3')).toThrow(SettingError);
  });
});
