import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./worker-process.js', import.meta.url));

/**
 * Real Conveyor processes (worker-process.ts) on one database, for tests that kill them with
 * SIGKILL: leases of `leaseSeconds`, reaped and polled quickly so that a killed process's jobs are
 * taken over in test time. Each started process is killed at the end (killAll).
 */
export class WorkerProcesses {
  private readonly children: ChildProcess[] = [];
  private readonly env: Record<string, string>;

  constructor(
    private readonly databaseUrl: string,
    leaseSeconds: number,
  ) {
    this.env = {
      CONVEYOR_LEASE_SECONDS: String(leaseSeconds),
      CONVEYOR_REAPER_INTERVAL_MS: '250',
      CONVEYOR_POLL_INTERVAL_MS: '100',
    };
  }

  /** A new process, once its worker runs. */
  start(): Promise<ChildProcess> {
    const child = spawn(process.execPath, [WORKER], {
      env: {
        ...process.env,
        DATABASE_URL: this.databaseUrl,
        CONVEYOR_MIGRATIONS_RUN: 'false',
        CONVEYOR_EXAMPLE_HANDLERS: 'false',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.children.push(child);
    return new Promise((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        if (line === 'ready') resolve(child);
      });
      child.once('exit', (code) => {
        reject(new Error(`worker exited with ${String(code)} before it was ready`));
      });
    });
  }

  killAll(): void {
    for (const child of this.children) child.kill('SIGKILL');
  }
}
