// What can be set for Cadence (`--set cadence.NAME=VALUE`), where the vendor leaves room.
import { progressionSetting, textSetting, uploadLimitSetting } from '../../core/settings.ts';

const userAndPassword = (text: string) => {
  if (!/^[^:]+:.*$/.test(text)) throw new RangeError('user:password');
};

export const SETTINGS = {
  processing: progressionSetting('share:0.5', 2, 'how long an add-on request is processed before its callback: share:F of the recording\'s duration (at least 2 s), seconds:N, immediate, or reads:N'),
  'callback-auth': textSetting('cadence:friend', 'the user:password add-on callbacks carry as HTTP basic auth (the documentation\'s sample)', userAndPassword),
  'twilio-auth-token': textSetting('', 'when set, add-on requests must carry a valid X-Twilio-Signature made with this auth token (401 otherwise)'),
  'admin-keys': textSetting('', 'comma-separated booking keys that are Cadence administrators: only they may read user records (403 for others)'),
  'max-upload-mb': uploadLimitSetting(100, 'the largest add-on recording, in MiB'),
};

export const adminKeys = (setting: string): string[] => setting.split(',').map((key) => key.trim()).filter(Boolean);
