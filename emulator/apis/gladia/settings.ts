// What can be set for Gladia (`--set gladia.NAME=VALUE`), where the vendor leaves room.
import { numberSetting, progressionSetting, uploadLimitSetting } from '../../core/settings.ts';

export const SETTINGS = {
  queue: progressionSetting('seconds:1', 0, 'how long a job stays queued before it is processed: seconds:N, immediate, or reads:N'),
  processing: progressionSetting('share:0.5', 2, 'how long a job is processed: share:F of its audio\'s duration (at least 2 s), seconds:N, immediate, or reads:N'),
  'retention-days': numberSetting(365, 'days a job is kept before it is gone (the vendor: up to 12 months)'),
  'max-upload-mb': uploadLimitSetting(1000, 'the largest audio file, in MiB (the vendor\'s 1000 MB)'),
};
