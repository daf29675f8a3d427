import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A job's idempotency key goes with the job through a statement trigger on DELETE instead of a
 * foreign key. The deferred foreign key checked every key row at commit, one lookup and one row
 * lock per submitted job, and the cascade needed an index on job_id that every submit maintained:
 * about a fifth of the database's work on a batch submit. Keys are only written by INSERT_JOBS,
 * in the same statement as their job, so the check could never fail; the delete is what matters,
 * and the trigger does it for every delete, whoever issues it, through the primary key.
 */
export class KeysReleasedByTrigger1764892800000 implements MigrationInterface {
  name = 'KeysReleasedByTrigger1764892800000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION conveyor_jobs_release_keys() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- Only keys still held by a deleted job: a key taken over by a newer job stays.
        DELETE FROM job_idempotency_keys k USING old_rows o
        WHERE k.namespace = o.namespace AND k.idempotency_key = o.idempotency_key AND k.job_id = o.id;
        RETURN NULL;
      END
      $$`);
    await db.query(`CREATE TRIGGER jobs_release_keys AFTER DELETE ON jobs REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION conveyor_jobs_release_keys()`);
    await db.query('ALTER TABLE job_idempotency_keys DROP CONSTRAINT job_idempotency_keys_job_fk');
    await db.query('DROP INDEX job_idempotency_keys_job_idx');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('CREATE INDEX job_idempotency_keys_job_idx ON job_idempotency_keys (job_id)');
    await db.query(`ALTER TABLE job_idempotency_keys ADD CONSTRAINT job_idempotency_keys_job_fk
      FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED`);
    await db.query('DROP TRIGGER jobs_release_keys ON jobs');
    await db.query('DROP FUNCTION conveyor_jobs_release_keys()');
  }
}
