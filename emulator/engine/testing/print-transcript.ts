// Prints the engine's transcript of a file as JSON: the determinism test compares it with
// the one made in the test's own process.
import { createEngine } from '../engine.ts';
import { probeFile } from '../probe.ts';

const [path, language, diarization] = process.argv.slice(2) as [string, string, 'none' | 'speaker' | 'channel'];
const engine = await createEngine();
const transcript = await engine.transcribe({ audio: await probeFile(path), path, language, diarization });
process.stdout.write(JSON.stringify(transcript) + '\n');
