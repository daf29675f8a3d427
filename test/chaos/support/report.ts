import type { ChaosClient } from './client.js';
import type { Outcome } from './invariants.js';

/** One line per scenario on stderr: what the faults cost, for the person reading the run. */
export function report(scenario: string, outcome: Outcome, client?: ChaosClient): void {
  const answers =
    client === undefined ? '' : ` answers ${JSON.stringify(Object.fromEntries(client.answers))}`;
  process.stderr.write(
    `chaos: ${scenario}: ${outcome.jobs} jobs, ${outcome.completed} completed, ` +
      `${outcome.deadLetter} dead-lettered, ${outcome.retries} retries${answers}\n`,
  );
}
