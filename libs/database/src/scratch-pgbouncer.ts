import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from './embedded/embedded-postgres.js';

export interface ScratchPgBouncerOptions {
  /**
   * Server connections per database and user (`default_pool_size`); PgBouncer opens at most twice
   * this many to PostgreSQL in all (`max_db_connections`).
   */
  poolSize?: number;
}

export interface ScratchPgBouncer {
  /** PgBouncer's process (one process, one thread: what it costs in CPU is read from it). */
  readonly pid: number | undefined;
  /** `url` with PgBouncer's address in place of PostgreSQL's: the same user, password and database. */
  through(url: string): string;
  /** PgBouncer's last lines of log, for a failure message. */
  output(): string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * A throwaway PgBouncer (the `pgbouncer` on PATH, such as Debian's package) in transaction pooling
 * on 127.0.0.1, in front of the PostgreSQL server of `urls`, letting their users in with the
 * passwords the URLs carry: for tests and benchmarks of replicas behind a pooler. Its configuration
 * lives in a temporary directory that stop() removes. It asks clients for no password (it listens
 * on loopback only) and logs in to PostgreSQL with the URLs' passwords.
 */
export async function startScratchPgBouncer(
  urls: readonly string[],
  { poolSize = 20 }: ScratchPgBouncerOptions = {},
): Promise<ScratchPgBouncer> {
  const [first] = urls;
  if (first === undefined) throw new Error('startScratchPgBouncer needs the URL of at least one user');
  const server = new URL(first);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'conveyor-pgbouncer-'));
  // As root PgBouncer runs as `nobody` (it refuses root), which must be able to read its files.
  chmodSync(dir, 0o755);
  const users = new Map(
    urls.map((url) => {
      const parsed = new URL(url);
      return [decodeURIComponent(parsed.username), decodeURIComponent(parsed.password)];
    }),
  );
  const quoted = (value: string): string => `"${value.replaceAll('"', '""')}"`;
  writeFileSync(
    join(dir, 'userlist.txt'),
    [...users].map(([user, password]) => `${quoted(user)} ${quoted(password)}\n`).join(''),
    { mode: 0o644 },
  );
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port || '5432'}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'pool_mode = transaction',
      `default_pool_size = ${poolSize}`,
      `max_db_connections = ${2 * poolSize}`,
      'max_client_conn = 500',
      'auth_type = trust',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      'log_connections = 0',
      'log_disconnections = 0',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );

  const asRoot = process.getuid?.() === 0;
  const child = spawn('pgbouncer', [...(asRoot ? ['-u', 'nobody'] : []), join(dir, 'pgbouncer.ini')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const recent: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      recent.push(line);
      if (recent.length > 40) recent.shift();
    });
  }
  const state = { exited: false };
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      state.exited = true;
      resolve();
    });
  });
  const spawnError = new Promise<Error>((resolve) => {
    child.once('error', resolve);
  });
  const stop = async (): Promise<void> => {
    if (!state.exited && child.pid !== undefined) {
      // SIGINT would wait for every client to leave; the clients are gone or no longer matter.
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exit;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const failed = await Promise.race([spawnError, delay(50).then(() => undefined)]);
    if (failed !== undefined) {
      await stop();
      throw new Error(
        `pgbouncer could not be started (${failed.message}); Debian: apt-get install pgbouncer`,
      );
    }
    if (state.exited || Date.now() > deadline) {
      await stop();
      throw new Error(
        `pgbouncer ${state.exited ? 'exited' : 'did not listen'} on 127.0.0.1:${port}:\n${recent.join('\n')}`,
      );
    }
    if (await accepts(port)) break;
  }
  return {
    pid: child.pid,
    through(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    output: () => recent.join('\n'),
    stop,
  };
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}
