import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The statement triggers on jobs whose only joins are of their own transition tables. */
const HASH_JOINED = ['conveyor_jobs_record_update()', 'conveyor_jobs_count_update()'];

/**
 * The statement triggers on jobs join their transition tables (new_rows, old_rows) by id. Those
 * tables carry no statistics, and PL/pgSQL keeps the plan of a statement without parameters from
 * its first run in a session: on a connection whose first UPDATE of jobs moved one job, every later
 * statement joined its rows by a nested loop, each new row against every old one. 10,000
 * comparisons a join for a claim of 100 jobs; a million for a workflow node that releases 1,000
 * children, which then took 3.2 s to complete (586 ms for the history insert, 1,128 ms for the
 * wake-ups, 732 ms for the stats deltas) and held the 10,000-node workflow of `npm run bench` to
 * 23 % of the plain drain's rate (measured with pg_stat_statements and auto_explain's nested
 * statements).
 *
 * These two run with enable_nestloop off: their joins become hash joins, as cheap for one row as
 * for thousands (the history insert of that release: 586 -> 12 ms). A later CREATE OR REPLACE of
 * either must say SET enable_nestloop = off again (it replaces the settings too). The workflow
 * trigger (migration Workflows) plans its one join per statement instead (EXECUTE).
 */
export class TransitionJoins1766188800000 implements MigrationInterface {
  name = 'TransitionJoins1766188800000';

  async up(db: QueryRunner): Promise<void> {
    for (const signature of HASH_JOINED)
      await db.query(`ALTER FUNCTION ${signature} SET enable_nestloop = off`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const signature of HASH_JOINED) await db.query(`ALTER FUNCTION ${signature} RESET enable_nestloop`);
  }
}
