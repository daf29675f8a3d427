// The scale suite (test/scale): replicas of the production entry point behind PgBouncer, one file
// at a time. Run with `npm run test:scale` (long) or `npm run test:scale:short` (CI). Needs the
// `pgbouncer` binary (Debian: apt-get install pgbouncer). See docs/scaling.md.
import base from './jest.config.js';

export default {
  ...base,
  testMatch: ['**/*.scale-spec.js'],
  maxWorkers: 1,
  testTimeout: 30 * 60 * 1000,
};
