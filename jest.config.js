// Tests are compiled by `tsc` (npm run build:test) and run as native ES modules from dist/,
// so the code under test is exactly what `npm start` runs. Three tiers:
//   unit        *.spec.ts beside the code: no Nest, no database
//   integration test/integration/*.int-spec.ts: real PostgreSQL, a fresh database per file
//   e2e         test/e2e/*.e2e-spec.ts: the whole app over HTTP
export default {
  rootDir: 'dist',
  testEnvironment: 'node',
  transform: {},
  testMatch: ['**/*.spec.js', '**/*.int-spec.js', '**/*.e2e-spec.js'],
  globalSetup: '../test/support/global-setup.js',
  globalTeardown: '../test/support/global-teardown.js',
  testTimeout: 30000,
  maxWorkers: 2,
};
