// Tests start real servers, child processes and official SDKs on a 2-core CI machine; a slow
// moment there is not a failure. Speed is measured by `npm run bench`, never by timeouts here.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
