import type { MigrationInterface, QueryRunner } from 'typeorm';
import { rewriteFunction } from './rewrite-function.js';

const TRANSITIONS_BEFORE = `
          ('pending', 'processing'), ('pending', 'cancelled'),
          ('processing', 'completed'), ('processing', 'failed'), ('processing', 'dead_letter'),
          ('processing', 'processing'), ('processing', 'pending'),
          ('failed', 'processing'), ('failed', 'cancelled'),
          ('dead_letter', 'pending'), ('cancelled', 'pending'),
          ('processing', 'cancelled')`;

/** `waiting`: a workflow node whose dependencies have not all completed (docs/workflows.md). */
const TRANSITIONS_ADDED = `
          ('waiting', 'pending'), ('waiting', 'cancelled'), ('cancelled', 'waiting')`;

const STATUSES_BEFORE = `'pending', 'processing', 'completed', 'failed', 'dead_letter', 'cancelled'`;
const STATUSES_AFTER = `'waiting', ${STATUSES_BEFORE}`;

/** The clauses of conveyor_jobs_guard() (migration GuardedJobs) this migration rewrites, before and after. */
const GUARD_REWRITES: readonly (readonly [string, string])[] = [
  // A job is born pending, or waiting for the jobs it depends on.
  [
    `IF NEW.status <> 'pending' OR NEW.attempts <> 0`,
    `IF NEW.status NOT IN ('pending', 'waiting') OR NEW.attempts <> 0`,
  ],
  // A retry may land on waiting (its dependencies are not all done): a fresh attempt budget there too.
  [
    `IF NEW.attempts <> (CASE WHEN NEW.status = 'pending' THEN 0 ELSE OLD.attempts END)`,
    `IF NEW.attempts <> (CASE WHEN NEW.status IN ('pending', 'waiting') THEN 0 ELSE OLD.attempts END)`,
  ],
  // Runnable only once every dependency is satisfied, whoever asks (a hand-back is of a job that ran).
  [
    `IF refusal IS NOT NULL THEN`,
    `IF refusal IS NULL AND NEW.status = 'pending' AND OLD.status NOT IN ('pending', 'processing')
           AND EXISTS (SELECT 1 FROM job_dependencies d WHERE d.child_id = NEW.id AND d.state <> 'satisfied') THEN
          refusal := 'a job becomes pending only once every job it depends on has completed';
        END IF;
        IF refusal IS NOT NULL THEN`,
  ],
];

/**
 * A node born waiting gets no stored creation event, like a submitted pending job (migration
 * CreationEventFromRow): GET_JOBS_WITH_HISTORY derives it from the row and its edges. Storing it
 * was a row and two index entries per node, a tenth of a 1,000-node workflow's insert.
 */
const RECORD_INSERT_REWRITE = [
  `WHERE n.status <> 'pending' OR n.attempts <> 0`,
  `WHERE n.status NOT IN ('pending', 'waiting') OR n.attempts <> 0`,
] as const;

/**
 * Workflows (docs/workflows.md): jobs that wait for other jobs.
 *
 * - `workflows`: one row per submitted workflow, holding its idempotency key for as long as it exists.
 * - `jobs.workflow_id`, `jobs.workflow_ref`: the workflow a job belongs to and its reference in it.
 * - `job_dependencies`: one row per edge, child waits for parent. An edge is `waiting`, `satisfied`
 *   (the parent completed, or finished otherwise and the edge lets the child run anyway) or
 *   `failed` (the parent was dead-lettered or cancelled, and this edge cancelled the child).
 * - status `waiting`: a job with an edge not yet satisfied. It is not claimable; the guard refuses
 *   to make it pending while any edge is unsatisfied.
 *
 * The trigger jobs_follow_dependencies moves children in the transaction that finishes their parent
 * (see conveyor_jobs_follow_dependencies below for how fan-in avoids one hot row). It runs as the
 * schema's owner: the runtime role inserts edges but can neither satisfy nor fail them.
 */
export class Workflows1766102400000 implements MigrationInterface {
  name = 'Workflows1766102400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE workflows (
        id uuid PRIMARY KEY,
        namespace varchar(255) NOT NULL,
        name varchar(255),
        idempotency_key varchar(255),
        fingerprint varchar(64) NOT NULL,
        node_count integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT workflows_idempotency_key_unique UNIQUE (namespace, idempotency_key)
      )`);
    await db.query('CREATE INDEX workflows_list_idx ON workflows (namespace, created_at DESC, id DESC)');

    // No foreign keys on the workflow's columns and edges: checked row by row, they were 40 % of a
    // 1,000-node workflow's insert (4,000 lookups). Nodes and edges are written by one statement
    // (INSERT_WORKFLOW), edges go with their jobs (jobs_delete_dependencies), and a workflow row
    // goes only once no job refers to it (DELETE_EMPTY_WORKFLOWS).
    await db.query(`ALTER TABLE jobs
      ADD COLUMN workflow_id uuid,
      ADD COLUMN workflow_ref varchar(128),
      ADD CONSTRAINT jobs_workflow_ref_check CHECK ((workflow_id IS NULL) = (workflow_ref IS NULL))`);
    // A node by its reference, and every node of a workflow (partial: most jobs are in none).
    await db.query(`CREATE UNIQUE INDEX jobs_workflow_ref_idx ON jobs (workflow_id, workflow_ref)
      WHERE workflow_id IS NOT NULL`);

    await db.query(`
      CREATE TABLE job_dependencies (
        child_id uuid NOT NULL,
        parent_id uuid NOT NULL,
        on_failure varchar(8) NOT NULL,
        state varchar(16) NOT NULL DEFAULT 'waiting',
        CONSTRAINT job_dependencies_pkey PRIMARY KEY (child_id, parent_id),
        CONSTRAINT job_dependencies_on_failure_check CHECK (on_failure IN ('cancel', 'continue')),
        CONSTRAINT job_dependencies_state_check CHECK (state IN ('waiting', 'satisfied', 'failed'))
      )`);
    await db.query('CREATE INDEX job_dependencies_parent_idx ON job_dependencies (parent_id)');
    await db.query(`
      CREATE FUNCTION conveyor_jobs_delete_dependencies() RETURNS trigger LANGUAGE plpgsql
      SECURITY DEFINER SET search_path FROM CURRENT AS $$
      BEGIN
        DELETE FROM job_dependencies d USING old_rows o WHERE d.child_id = o.id;
        DELETE FROM job_dependencies d USING old_rows o WHERE d.parent_id = o.id;
        RETURN NULL;
      END
      $$`);
    await db.query(`CREATE TRIGGER jobs_delete_dependencies AFTER DELETE ON jobs REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION conveyor_jobs_delete_dependencies()`);

    await db.query(`ALTER TABLE jobs DROP CONSTRAINT jobs_status_check,
      ADD CONSTRAINT jobs_status_check CHECK (status IN (${STATUSES_AFTER}))`);
    await db.query(`
      CREATE OR REPLACE FUNCTION conveyor_job_transition_is_legal(from_status text, to_status text)
      RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT (from_status, to_status) IN (${TRANSITIONS_BEFORE},${TRANSITIONS_ADDED})
      $$`);
    for (const [from, to] of GUARD_REWRITES)
      await db.query(rewriteFunction('conveyor_jobs_guard()', from, to));
    await db.query(rewriteFunction('conveyor_jobs_record_insert()', ...RECORD_INSERT_REWRITE));

    await db.query(`
      CREATE FUNCTION conveyor_jobs_follow_dependencies() RETURNS trigger LANGUAGE plpgsql
      SECURITY DEFINER SET search_path FROM CURRENT AS $$
      DECLARE
        completed uuid[];
        ended uuid[];
        resumed uuid[];
        touched uuid[];
        contested uuid[];
        doomed_parents uuid[];
        doomed_children uuid[];
        frontier uuid[];
      BEGIN
        -- Most statements (claims, heartbeats, plain jobs' settlements) touch no workflow node:
        -- one pass over the new rows, no join, and out.
        IF NOT EXISTS (SELECT 1 FROM new_rows WHERE workflow_id IS NOT NULL) THEN
          RETURN NULL;
        END IF;

        -- The workflow nodes this statement moved: completed, dead-lettered or cancelled, and
        -- brought back from either. Planned for this statement's rows (EXECUTE): transition tables
        -- have no statistics, and a plan PL/pgSQL kept from a one-row statement joins them by a
        -- nested loop, every new row against every old one (a million comparisons for a node that
        -- releases a thousand children). The edges are then reached through these arrays.
        EXECUTE $q$
          SELECT array_agg(n.id) FILTER (WHERE n.status = 'completed'),
                 array_agg(n.id) FILTER (WHERE n.status IN ('dead_letter', 'cancelled')),
                 array_agg(n.id) FILTER (WHERE o.status IN ('dead_letter', 'cancelled')
                                           AND n.status IN ('pending', 'waiting'))
          FROM new_rows n JOIN old_rows o ON o.id = n.id
          WHERE n.workflow_id IS NOT NULL AND n.status <> o.status$q$
        INTO completed, ended, resumed;

        -- 1. Parents that finished here satisfy their waiting edges: all of them when completed,
        --    the 'continue' ones when dead-lettered or cancelled. Each parent updates only its own
        --    edges: a fan-in of 1,000 parents takes 1,000 different row locks, not one.
        WITH satisfied AS (
          UPDATE job_dependencies d SET state = 'satisfied'
          WHERE d.state = 'waiting'
            AND (d.parent_id = ANY (completed) OR (d.parent_id = ANY (ended) AND d.on_failure = 'continue'))
          RETURNING d.child_id
        )
        SELECT array_agg(DISTINCT child_id) INTO touched FROM satisfied;

        IF touched IS NOT NULL THEN
          -- 2. A child whose last edge was satisfied here becomes pending now, in this transaction.
          --    Two parents finishing at once each see the other's edge unsatisfied (not committed
          --    yet), so someone must wait for someone, but only at the very end of a fan-in:
          --    a child that still has an edge nobody is satisfying right now (unlocked: FOR SHARE
          --    SKIP LOCKED skips edges a concurrent transaction is updating) is left to that edge's
          --    parent. The share lock taken on that edge makes its parent's update wait until this
          --    transaction commits, so that parent's check below sees this edge satisfied.
          SELECT array_agg(t.child_id ORDER BY t.child_id) INTO contested
          FROM unnest(touched) AS t(child_id)
          WHERE NOT EXISTS (
            SELECT 1 FROM job_dependencies d
            WHERE d.child_id = t.child_id AND d.state <> 'satisfied'
            LIMIT 1 FOR SHARE SKIP LOCKED
          );
          IF contested IS NOT NULL THEN
            -- Every other unsatisfied edge is being changed by a concurrent transaction: take the
            -- children's rows in id order (no deadlock between two such transactions); then this
            -- next statement, with a fresh snapshot, sees what those transactions committed.
            PERFORM 1 FROM jobs WHERE id = ANY (contested) ORDER BY id FOR UPDATE;
            UPDATE jobs j SET status = 'pending', run_at = greatest(j.run_at, now()), updated_at = now()
            WHERE j.id = ANY (contested) AND j.status = 'waiting'
              AND NOT EXISTS (
                SELECT 1 FROM job_dependencies d WHERE d.child_id = j.id AND d.state <> 'satisfied'
              );
          END IF;
        END IF;

        -- 3. A dead-lettered or cancelled parent cancels the children that wait for it through a
        --    'cancel' edge, and theirs, transitively, in one statement (no trigger recursion down a
        --    long chain). The edges that did it are marked failed, so that retrying the parent
        --    resumes exactly those children (step 4).
        -- Only when something ended here: the walk's first step is a join over all of jobs when
        -- tables have no statistics yet (7.6 ms a completion of 100 nodes, for nothing).
        IF ended IS NOT NULL THEN
          WITH RECURSIVE doomed (parent_id, child_id) AS (
            SELECT d.parent_id, d.child_id
            FROM job_dependencies d JOIN jobs c ON c.id = d.child_id
            WHERE d.parent_id = ANY (ended)
              AND d.on_failure = 'cancel' AND d.state = 'waiting' AND c.status = 'waiting'
            UNION
            SELECT d.parent_id, d.child_id
            FROM doomed x JOIN job_dependencies d ON d.parent_id = x.child_id
            JOIN jobs c ON c.id = d.child_id
            WHERE d.on_failure = 'cancel' AND d.state = 'waiting' AND c.status = 'waiting'
          )
          SELECT array_agg(parent_id), array_agg(child_id) INTO doomed_parents, doomed_children FROM doomed;

          IF doomed_children IS NOT NULL THEN
            PERFORM 1 FROM jobs WHERE id = ANY (doomed_children) ORDER BY id FOR UPDATE;
            UPDATE job_dependencies d SET state = 'failed'
            FROM unnest(doomed_parents, doomed_children) AS x(parent_id, child_id)
            WHERE d.parent_id = x.parent_id AND d.child_id = x.child_id AND d.state = 'waiting';
            UPDATE jobs j SET status = 'cancelled', updated_at = now(),
              last_error = 'cancelled: a job it depends on (' || p.workflow_ref || ') was dead-lettered or cancelled'
            FROM (SELECT DISTINCT ON (x.child_id) x.child_id, x.parent_id
                  FROM unnest(doomed_parents, doomed_children) AS x(parent_id, child_id)) x
            JOIN jobs p ON p.id = x.parent_id
            WHERE j.id = x.child_id AND j.status = 'waiting';
          END IF;
        END IF;

        -- 4. A parent brought back (retry, redrive) resumes the children its failure cancelled:
        --    their failed edges wait again, and a child left with no failed edge waits again (and
        --    resumes its own such children), level by level. Only for the statement that brought it
        --    back: the children it resumes change status too, but have nothing further to resume.
        IF pg_trigger_depth() = 1 THEN
          frontier := resumed;
          WHILE frontier IS NOT NULL LOOP
            WITH reopened AS (
              UPDATE job_dependencies d SET state = 'waiting'
              WHERE d.parent_id = ANY (frontier) AND d.state = 'failed'
              RETURNING d.child_id
            )
            SELECT array_agg(DISTINCT child_id ORDER BY child_id) INTO frontier FROM reopened;
            IF frontier IS NOT NULL THEN
              PERFORM 1 FROM jobs WHERE id = ANY (frontier) ORDER BY id FOR UPDATE;
              WITH resumed AS (
                UPDATE jobs j SET status = 'waiting', attempts = 0, last_error = NULL, worker_id = NULL,
                  updated_at = now()
                WHERE j.id = ANY (frontier) AND j.status = 'cancelled'
                  AND NOT EXISTS (SELECT 1 FROM job_dependencies d WHERE d.child_id = j.id AND d.state = 'failed')
                RETURNING j.id
              )
              SELECT array_agg(id) INTO frontier FROM resumed;
            END IF;
          END LOOP;
        END IF;
        RETURN NULL;
      END
      $$`);
    await db.query(`CREATE TRIGGER jobs_follow_dependencies AFTER UPDATE ON jobs
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION conveyor_jobs_follow_dependencies()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TRIGGER jobs_follow_dependencies ON jobs');
    await db.query('DROP FUNCTION conveyor_jobs_follow_dependencies()');
    const [recorded, unrecorded] = RECORD_INSERT_REWRITE;
    await db.query(rewriteFunction('conveyor_jobs_record_insert()', unrecorded, recorded));
    for (const [from, to] of [...GUARD_REWRITES].reverse()) {
      await db.query(rewriteFunction('conveyor_jobs_guard()', to, from));
    }
    await db.query(`
      CREATE OR REPLACE FUNCTION conveyor_job_transition_is_legal(from_status text, to_status text)
      RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT (from_status, to_status) IN (${TRANSITIONS_BEFORE})
      $$`);
    await db.query(`ALTER TABLE jobs DROP CONSTRAINT jobs_status_check,
      ADD CONSTRAINT jobs_status_check CHECK (status IN (${STATUSES_BEFORE}))`);
    await db.query('DROP TRIGGER jobs_delete_dependencies ON jobs');
    await db.query('DROP FUNCTION conveyor_jobs_delete_dependencies()');
    await db.query('DROP TABLE job_dependencies');
    await db.query('DROP INDEX jobs_workflow_ref_idx');
    await db.query(`ALTER TABLE jobs DROP CONSTRAINT jobs_workflow_ref_check,
      DROP COLUMN workflow_ref, DROP COLUMN workflow_id`);
    await db.query('DROP TABLE workflows');
  }
}
