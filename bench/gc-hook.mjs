// Preloaded into the built CLI (`node --expose-gc --import ./bench/gc-hook.mjs
// bin/speechdouble.js serve …`) so a bench can weigh the real `serve` process: on SIGUSR2 it
// runs two full garbage collections and prints one line to stderr,
// `bench-memory {…process.memoryUsage()}` (bytes). It changes nothing else in the process.
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  globalThis.gc?.();
  process.stderr.write(`bench-memory ${JSON.stringify(process.memoryUsage())}\n`);
});
