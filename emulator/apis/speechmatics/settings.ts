// What can be set for Speechmatics (`--set speechmatics.NAME=VALUE`), where the vendor
// leaves room or its documents disagree.
import { choiceSetting, numberSetting, progressionSetting, uploadLimitSetting } from '../../core/settings.ts';

/** However short the audio, processing takes at least this long (emulated seconds). */
export const MINIMUM_PROCESSING_SECONDS = 2;

export const SETTINGS = {
  processing: progressionSetting('share:0.5', MINIMUM_PROCESSING_SECONDS, 'how long a job runs: share:F of its audio\'s duration (at least 2 s), seconds:N, immediate, or reads:N'),
  'retention-days': numberSetting(7, 'finished jobs expire after this many days'),
  'expired-status': choiceSetting(410, [404, 410] as const, 'what an expired job answers: 410 as the API reference says, or 404 as the retention docs say'),
  'max-upload-mb': uploadLimitSetting(1024, 'the largest media file, in MiB (the vendor\'s 1 GB)'),
};
