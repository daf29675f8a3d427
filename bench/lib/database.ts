// The PostgreSQL the benchmark runs on: DATABASE_URL's server, or a throwaway embedded one; and a
// fresh database per workload, so no workload sees another's rows.
import pg from 'pg';
import { dropDatabase, ensureDatabase, startScratchPostgres, withDatabase } from '#conveyor/database';

/** The server's settings that a result depends on, as SHOW answers them; recorded with each run. */
export interface ServerSettings {
  server_version: string;
  synchronous_commit: string;
  fsync: string;
  wal_level: string;
  shared_buffers: string;
  max_connections: string;
  work_mem: string;
  track_commit_timestamp: string;
}

export interface BenchServer {
  settings: ServerSettings;
  /** A throwaway embedded server, not DATABASE_URL's. */
  embedded: boolean;
  /** A new empty database; the service migrates it when it boots. */
  database(): Promise<BenchDatabase>;
  stop(): Promise<void>;
}

export interface BenchDatabase {
  url: string;
  client: pg.Client;
  /** Jobs matching the SQL condition `where` ($1, ... bound to `params`). */
  count(where?: string, params?: unknown[]): Promise<number>;
  drop(): Promise<void>;
}

/** The row of a query that always answers exactly one (an aggregate, SHOW). */
export function oneRow<Row>(rows: Row[]): Row {
  const [row] = rows;
  if (row === undefined) throw new Error('the query answered no row');
  return row;
}

export async function openServer(): Promise<BenchServer> {
  // Commit times let the fan-in workload read, by the database clock, when its child became
  // claimable: the commit that made it pending (pg_xact_commit_timestamp).
  const server = await startScratchPostgres({ settings: { track_commit_timestamp: 'on' } });
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  // SHOW answers one row of one column.
  const show = async (name: keyof ServerSettings): Promise<string> =>
    oneRow((await client.query<[string]>({ text: `SHOW ${name}`, rowMode: 'array' })).rows)[0];
  const settings: ServerSettings = {
    server_version: await show('server_version'),
    synchronous_commit: await show('synchronous_commit'),
    fsync: await show('fsync'),
    wal_level: await show('wal_level'),
    shared_buffers: await show('shared_buffers'),
    max_connections: await show('max_connections'),
    work_mem: await show('work_mem'),
    track_commit_timestamp: await show('track_commit_timestamp'),
  };
  await client.end();
  let counter = 0;
  return {
    settings,
    embedded: !process.env['DATABASE_URL'],
    async database() {
      counter += 1;
      const name = `conveyor_bench_${process.pid}_${counter}`;
      await ensureDatabase(server.url, name);
      const url = withDatabase(server.url, name);
      const client = new pg.Client({ connectionString: url });
      // A server that goes away during a failed run must not hide that run's own error.
      client.on('error', () => undefined);
      await client.connect();
      return {
        url,
        client,
        async count(where = 'true', params: unknown[] = []) {
          const { rows } = await client.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM jobs WHERE ${where}`,
            params,
          );
          return oneRow(rows).n;
        },
        async drop() {
          await client.end();
          await dropDatabase(server.url, name);
        },
      };
    },
    stop: () => server.stop(),
  };
}

/**
 * SQL for the id the service gives a job created at `at` (a timestamptz expression, evaluated
 * twice: not clock_timestamp()): a UUIDv7 as newJobId (libs/jobs) makes it, the Unix milliseconds
 * in front of a random UUID's bits after its version digit.
 */
export function jobIdAt(at: string): string {
  const hex = `lpad(to_hex(floor(extract(epoch FROM ${at}) * 1000)::bigint), 12, '0')`;
  return `(substr(${hex}, 1, 8) || '-' || substr(${hex}, 9, 4) || '-7' || substr(gen_random_uuid()::text, 16))::uuid`;
}

/**
 * Inserts `count` jobs at once, as one statement, the way a backlog looks after an outage: all
 * pending and due, in `queue`, of `type`, each with `payload` (default `{n: i}`), with ids as the
 * service makes them. The insert triggers wake the workers (NOTIFY).
 */
export async function insertBacklog(
  client: pg.Client,
  { count, type, queue, payload }: { count: number; type: string; queue: string; payload?: object },
): Promise<void> {
  await client.query(
    `INSERT INTO jobs (id, namespace, queue, type, payload, status, max_attempts, backoff, idempotency_key)
     SELECT ${jobIdAt('now()')}, 'default', $2, $3, coalesce($4::jsonb, jsonb_build_object('n', i)), 'pending', 5,
            '{"type":"exponential","delayMs":1000,"maxDelayMs":300000}', 'backlog-' || i
     FROM generate_series(1, $1) AS i`,
    [count, queue, type, payload === undefined ? null : JSON.stringify(payload)],
  );
}
