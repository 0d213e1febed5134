// A child process for durable-log.test.ts: appends numbered records to a durable log, many in
// flight at once, and prints `ack N` once record N is durable, until it is killed.
import { openDurableLog } from '../durable-log.ts';

const [dir, inFlightText] = process.argv.slice(2);
const { records, log } = openDurableLog<{ n: number; pad: string }>(dir!, 'state');
let next = records.length;
const pad = 'x'.repeat(200);
const inFlight = Number(inFlightText ?? 16);
const one = (): Promise<void> => {
  const n = next++;
  return log.append({ n, pad }).then(() => {
    process.stdout.write(`ack ${n}\n`);
    return one();
  });
};
for (let i = 0; i < inFlight; i++) void one();
