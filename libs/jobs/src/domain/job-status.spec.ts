import { canTransition, JOB_STATUSES, type JobStatus } from './job-status.js';
import { OPERATOR_MOVES } from './operator-moves.js';

// Written out from the specification, independently of JOB_TRANSITIONS, so a slip in either shows.
const LEGAL: ReadonlySet<string> = new Set([
  'pending->processing',
  'failed->processing',
  'processing->completed',
  'processing->failed',
  'processing->dead_letter',
  'processing->processing',
  'processing->pending',
  'processing->cancelled',
  'pending->cancelled',
  'failed->cancelled',
  'dead_letter->pending',
  'cancelled->pending',
  'waiting->pending',
  'waiting->cancelled',
  'cancelled->waiting',
]);

const pairs = JOB_STATUSES.flatMap((from) => JOB_STATUSES.map((to): [JobStatus, JobStatus] => [from, to]));

describe('job status transitions', () => {
  it('covers all 49 pairs', () => {
    expect(pairs).toHaveLength(49);
  });

  it.each(pairs)('%s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(LEGAL.has(`${from}->${to}`));
  });

  it('has no way out of completed', () => {
    expect(JOB_STATUSES.filter((to) => canTransition('completed', to))).toEqual([]);
  });
});

describe('operator moves', () => {
  it.each(Object.entries(OPERATOR_MOVES))('%s is legal from every status it names', (_move, { from, to }) => {
    for (const status of from) expect(canTransition(status, to)).toBe(true);
  });
});
