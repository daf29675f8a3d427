import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { SystemUser } from './postgres-user.js';

export interface PostgresServerOptions {
  /** A PostgreSQL installation: bin/, lib/, share/ (see postgresInstallation). */
  installation: string;
  dataDir: string;
  port: number;
  /** The superuser's (`postgres`) password, set by initialise(). */
  password: string;
  /** Who runs initdb and postgres; undefined: this process's user. */
  runAs: SystemUser | undefined;
  /** Arguments of initdb after the ones made here. */
  initdbFlags: string[];
  /** Arguments of postgres after the data directory and port. */
  postgresFlags: string[];
  /** false: stop() deletes the data directory. */
  persistent: boolean;
  /** Everything the two programs write (PostgreSQL logs to stderr). */
  onLog: (text: string) => void;
}

/** The line that says a started server takes connections; lc_messages=C keeps it in English. */
const READY = 'database system is ready to accept connections';

type PostgresProcess = ChildProcessByStdio<null, Readable, Readable>;

/** One PostgreSQL cluster run from an installation's binaries: initdb, start, stop. */
export class PostgresServer {
  private process: PostgresProcess | undefined;

  constructor(private readonly options: PostgresServerOptions) {}

  private spawn(program: 'initdb' | 'postgres', args: string[]): PostgresProcess {
    const child = spawn(join(this.options.installation, 'bin', program), args, {
      ...this.options.runAs,
      env: { ...process.env, LC_MESSAGES: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = (chunk: Buffer): void => {
      this.options.onLog(chunk.toString('utf8'));
    };
    child.stdout.on('data', log);
    child.stderr.on('data', log);
    return child;
  }

  /** Creates the cluster in the (missing or empty) data directory. */
  async initialise(): Promise<void> {
    const { dataDir, runAs, password } = this.options;
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // initdb reads the password from a file its user alone may read, gone once it has.
    const passwordFile = `${dataDir}.initdb-password`;
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    try {
      if (runAs !== undefined) {
        chownSync(dataDir, runAs.uid, runAs.gid);
        chownSync(passwordFile, runAs.uid, runAs.gid);
      }
      const initdb = this.spawn('initdb', [
        `--pgdata=${dataDir}`,
        '--auth=scram-sha-256',
        '--username=postgres',
        `--pwfile=${passwordFile}`,
        '--lc-messages=C',
        ...this.options.initdbFlags,
      ]);
      const code = await new Promise<number | null>((resolveExit, reject) => {
        initdb.once('error', reject);
        initdb.once('close', resolveExit);
      });
      if (code !== 0) throw new Error(`initdb exited with code ${String(code)}`);
    } finally {
      rmSync(passwordFile, { force: true });
    }
  }

  /** Starts PostgreSQL; resolves once it takes connections, rejects if it exits before. */
  start(): Promise<void> {
    const { dataDir, port, postgresFlags } = this.options;
    const server = this.spawn('postgres', [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'lc_messages=C',
      ...postgresFlags,
    ]);
    this.process = server;
    return new Promise<void>((resolveReady, reject) => {
      let log = '';
      const watchForReady = (chunk: Buffer): void => {
        const seen = log + chunk.toString('utf8');
        if (seen.includes(READY)) {
          server.stderr.off('data', watchForReady);
          resolveReady();
        }
        // The line can be split across chunks: keep a tail that could hold its start.
        log = seen.slice(-READY.length);
      };
      server.stderr.on('data', watchForReady);
      server.once('error', reject);
      server.once('exit', (code, signal) => {
        reject(
          new Error(`postgres exited before it was ready (code ${String(code)}, signal ${String(signal)})`),
        );
      });
    });
  }

  /** Fast shutdown (SIGINT: open transactions roll back); deletes the data when not persistent. */
  async stop(): Promise<void> {
    const server = this.process;
    this.process = undefined;
    if (server !== undefined && server.exitCode === null && server.signalCode === null) {
      await new Promise<void>((resolveExit) => {
        server.once('exit', () => {
          resolveExit();
        });
        server.kill('SIGINT');
      });
    }
    if (!this.options.persistent) rmSync(this.options.dataDir, { recursive: true, force: true });
  }
}
