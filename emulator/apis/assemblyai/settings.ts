// What can be set for AssemblyAI (`--set assemblyai.NAME=VALUE`), where the vendor leaves room.
import { progressionSetting, uploadLimitSetting } from '../../core/settings.ts';

export const SETTINGS = {
  queue: progressionSetting('seconds:1', 0, 'how long a transcript stays queued: seconds:N, immediate, or reads:N'),
  processing: progressionSetting('share:0.5', 2, 'how long a transcript is processed: share:F of its audio\'s duration (at least 2 s), seconds:N, immediate, or reads:N'),
  'max-upload-mb': uploadLimitSetting(2200, 'the largest uploaded file, in MiB (the vendor\'s 2.2 GB)'),
};
