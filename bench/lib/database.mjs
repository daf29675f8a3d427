// The PostgreSQL the benchmark runs on: DATABASE_URL's server, or a throwaway embedded one; and a
// fresh database per workload, so no workload sees another's rows.
import pg from 'pg';
import { dropDatabase, ensureDatabase, startScratchPostgres, withDatabase } from '#conveyor/database';

export async function openServer() {
  const server = await startScratchPostgres();
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  const settings = {};
  for (const name of [
    'server_version',
    'synchronous_commit',
    'fsync',
    'wal_level',
    'shared_buffers',
    'max_connections',
    'work_mem',
  ]) {
    const { rows } = await client.query(`SHOW ${name}`);
    settings[name] = Object.values(rows[0])[0];
  }
  await client.end();
  let counter = 0;
  return {
    settings,
    embedded: !process.env.DATABASE_URL,
    /** A new empty database; the service migrates it when it boots. */
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
        async count(where = 'true', params = []) {
          const { rows } = await client.query(`SELECT count(*)::int AS n FROM jobs WHERE ${where}`, params);
          return rows[0].n;
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
 * Inserts `count` jobs at once, as one statement, the way a backlog looks after an outage: all
 * pending and due, in `queue`, of `type`. The insert triggers wake the workers (NOTIFY).
 */
export async function insertBacklog(client, { count, type, queue }) {
  await client.query(
    `INSERT INTO jobs (id, namespace, queue, type, payload, status, max_attempts, backoff, idempotency_key)
     SELECT gen_random_uuid(), 'default', $2, $3, jsonb_build_object('n', i), 'pending', 5,
            '{"type":"exponential","delayMs":1000,"maxDelayMs":300000}', 'backlog-' || i
     FROM generate_series(1, $1) AS i`,
    [count, queue, type],
  );
}
