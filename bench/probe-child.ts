// Runs in its own process so its peak resident memory is the probe's alone. With no file, it
// loads the same modules and stops: the baseline the probe is compared with.
import { probeFile } from '../emulator/engine/probe.ts';

const path = process.argv[2];
const started = process.hrtime.bigint();
const info = path ? await probeFile(path) : undefined;
const ms = Number(process.hrtime.bigint() - started) / 1e6;
process.stdout.write(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, ms, durationSeconds: info?.durationSeconds }) + '\n');
