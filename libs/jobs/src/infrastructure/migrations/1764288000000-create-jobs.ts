import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateJobs1764288000000 implements MigrationInterface {
  name = 'CreateJobs1764288000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE jobs (
        id uuid PRIMARY KEY,
        namespace varchar(255) NOT NULL,
        queue varchar(255) NOT NULL,
        type varchar(255) NOT NULL,
        payload jsonb NOT NULL,
        status varchar(16) NOT NULL,
        priority integer NOT NULL DEFAULT 0,
        run_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL,
        backoff jsonb NOT NULL,
        idempotency_key varchar(255) NOT NULL,
        lease_token uuid,
        lease_expires_at timestamptz,
        worker_id varchar(255),
        last_error text,
        result jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT jobs_status_check
          CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'dead_letter', 'cancelled')),
        CONSTRAINT jobs_attempts_check CHECK (attempts >= 0),
        CONSTRAINT jobs_max_attempts_check CHECK (max_attempts >= 1),
        -- A lease exists exactly while the job is processing.
        CONSTRAINT jobs_lease_check
          CHECK ((status = 'processing') = (lease_token IS NOT NULL AND lease_expires_at IS NOT NULL))
      )`);

    // Matches the claim query's WHERE and ORDER BY exactly, so a claim reads the head of the
    // index and stops; only claimable rows are in it.
    await db.query(`
      CREATE INDEX jobs_claim_due_idx ON jobs (namespace, queue, priority DESC, run_at, created_at)
      WHERE status IN ('pending', 'failed')`);
    await db.query(`
      CREATE INDEX jobs_lease_expiry_idx ON jobs (namespace, queue, lease_expires_at)
      WHERE status = 'processing'`);
    await db.query(`CREATE INDEX jobs_list_idx ON jobs (namespace, created_at DESC, id DESC)`);
    await db.query(
      `CREATE INDEX jobs_list_by_status_idx ON jobs (namespace, status, created_at DESC, id DESC)`,
    );

    await db.query(`
      CREATE TABLE job_idempotency_keys (
        namespace varchar(255) NOT NULL,
        idempotency_key varchar(255) NOT NULL,
        job_id uuid NOT NULL,
        fingerprint char(64) NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (namespace, idempotency_key),
        -- Deferred: the key row and its job are inserted by one statement (sql/submit.sql.ts).
        CONSTRAINT job_idempotency_keys_job_fk FOREIGN KEY (job_id) REFERENCES jobs (id)
          ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
      )`);
    await db.query(`CREATE INDEX job_idempotency_keys_job_idx ON job_idempotency_keys (job_id)`);

    await db.query(`
      CREATE TABLE job_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        job_id uuid NOT NULL,
        from_status varchar(16),
        to_status varchar(16) NOT NULL,
        attempt integer NOT NULL,
        worker_id varchar(255),
        error text,
        occurred_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX job_events_job_idx ON job_events (job_id, id)`);

    // The state machine, again, where no code path can go around it. Same table as
    // libs/jobs/src/domain/job-status.ts; a test compares them pair by pair.
    await db.query(`
      CREATE FUNCTION conveyor_job_transition_is_legal(from_status text, to_status text)
      RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT (from_status, to_status) IN (
          ('pending', 'processing'), ('pending', 'cancelled'),
          ('processing', 'completed'), ('processing', 'failed'), ('processing', 'dead_letter'),
          ('processing', 'processing'), ('processing', 'pending'),
          ('failed', 'processing'), ('failed', 'cancelled'),
          ('dead_letter', 'pending'), ('cancelled', 'pending'))
      $$`);
    await db.query(`
      CREATE FUNCTION conveyor_jobs_guard_transition() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT conveyor_job_transition_is_legal(OLD.status, NEW.status) THEN
          RAISE EXCEPTION 'illegal job status transition % -> % (job %)', OLD.status, NEW.status, OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'jobs_status_transition';
        END IF;
        RETURN NEW;
      END
      $$`);
    await db.query(`
      CREATE TRIGGER jobs_guard_transition
      BEFORE UPDATE OF status ON jobs
      FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
      EXECUTE FUNCTION conveyor_jobs_guard_transition()`);

    // History is written per statement from the transition tables: one INSERT ... SELECT for a
    // claim of 100 jobs instead of 100 row-level trigger calls.
    await db.query(`
      CREATE FUNCTION conveyor_jobs_record_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO job_events (job_id, from_status, to_status, attempt)
        SELECT n.id, NULL, n.status, n.attempts FROM new_rows n;
        RETURN NULL;
      END
      $$`);
    await db.query(`
      CREATE TRIGGER jobs_record_insert
      AFTER INSERT ON jobs REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION conveyor_jobs_record_insert()`);
    await db.query(`
      CREATE FUNCTION conveyor_jobs_record_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO job_events (job_id, from_status, to_status, attempt, worker_id, error)
        SELECT n.id, o.status, n.status, n.attempts, n.worker_id,
               CASE WHEN n.status IN ('failed', 'dead_letter') OR o.status = 'processing' AND n.status = 'processing'
                    THEN n.last_error END
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        -- A status change, or a re-claim (processing -> processing under a new lease token).
        -- Heartbeats change neither and leave no trace.
        WHERE o.status IS DISTINCT FROM n.status
           OR (n.status = 'processing' AND o.lease_token IS DISTINCT FROM n.lease_token);
        RETURN NULL;
      END
      $$`);
    await db.query(`
      CREATE TRIGGER jobs_record_update
      AFTER UPDATE ON jobs REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION conveyor_jobs_record_update()`);

    // Retry delay after the attempt-th failure, in database time.
    //   fixed:        delayMs
    //   exponential:  uniform in [0, min(maxDelayMs, delayMs * 2^(attempt-1))]  ("full jitter")
    // Full jitter spreads out jobs that failed together (say, during an outage of the service they
    // call) instead of retrying them in synchronized waves.
    await db.query(`
      CREATE FUNCTION conveyor_backoff_delay(backoff jsonb, attempt integer)
      RETURNS interval LANGUAGE sql VOLATILE AS $$
        SELECT make_interval(secs => (
          CASE backoff->>'type'
            WHEN 'fixed' THEN (backoff->>'delayMs')::float8
            ELSE random() * least((backoff->>'maxDelayMs')::float8,
                                  (backoff->>'delayMs')::float8 * power(2::float8, least(greatest(attempt - 1, 0), 60)))
          END) / 1000.0)
      $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE job_events');
    await db.query('DROP TABLE job_idempotency_keys');
    await db.query('DROP TABLE jobs');
    await db.query('DROP FUNCTION conveyor_backoff_delay(jsonb, integer)');
    await db.query('DROP FUNCTION conveyor_jobs_record_update()');
    await db.query('DROP FUNCTION conveyor_jobs_record_insert()');
    await db.query('DROP FUNCTION conveyor_jobs_guard_transition()');
    await db.query('DROP FUNCTION conveyor_job_transition_is_legal(text, text)');
  }
}
