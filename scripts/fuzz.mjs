// npm run fuzz -- [--runs N] [--seed S]: the property-based API fuzz test (test/e2e/fuzz.e2e-spec.ts)
// with more requests than `npm test` sends, or another seed. Builds first, like `npm test`; uses
// DATABASE_URL or an embedded PostgreSQL the same way.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const USAGE = 'usage: npm run fuzz -- [--runs N] [--seed S]';
let values;
try {
  ({ values } = parseArgs({
    options: {
      runs: { type: 'string', default: '20000' },
      seed: { type: 'string', default: String(Date.now() % 1e9) },
    },
  }));
} catch (error) {
  // An unknown option or a missing value: say so in a line, not with a stack.
  console.error(`${error.message}\n${USAGE}`);
  process.exit(2);
}
for (const [name, value] of Object.entries(values)) {
  if (!/^\d+$/.test(value)) {
    console.error(`--${name} must be a whole number, got "${value}"`);
    process.exit(2);
  }
}
console.error(`fuzz: ${values.runs} requests, seed ${values.seed} (repeat with --seed ${values.seed})`);
const run = (command, args, env = {}) =>
  spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;
let status = run('npm', ['run', '-s', 'build:test']);
if (status === 0) {
  status = run(
    process.execPath,
    [
      '--experimental-vm-modules',
      '--enable-source-maps',
      'node_modules/jest/bin/jest.js',
      'dist/test/e2e/fuzz',
    ],
    { CONVEYOR_FUZZ_RUNS: values.runs, CONVEYOR_FUZZ_SEED: values.seed },
  );
}
process.exit(status);
