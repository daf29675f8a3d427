// The browser suite (test/browser): the dashboard in Debian's Chromium, against the real service
// on real PostgreSQL. `npm run test:browser`; not part of `npm test`, since a machine with only
// Node.js has no Chromium (.ci/run installs it). See docs/dashboard.md.
import base from './jest.config.js';

export default {
  ...base,
  testMatch: ['**/*.browser-spec.js'],
  maxWorkers: 1,
  testTimeout: 60_000,
};
