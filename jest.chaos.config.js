// The chaos suite (test/chaos): real processes, real kills, one scenario at a time. Run with
// `npm run test:chaos` (long) or `npm run test:chaos:short` (CI). See docs/reliability.md.
import base from './jest.config.js';

export default {
  ...base,
  testMatch: ['**/*.chaos-spec.js'],
  maxWorkers: 1,
  testTimeout: 30 * 60 * 1000,
};
