import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';

const READY_TIMEOUT_MS = 60_000;
/** How long a crashed process stays down before it is started again (Kubernetes waits longer). */
const RESTART_DELAY_MS = 200;

/**
 * One process the scenario keeps running, as Kubernetes would: started again whenever it exits,
 * unless the scenario stopped it. Counts the exits it did not cause (crashes) and keeps the last
 * lines of output, and every line starting with UNEXPECTED, for the assertions.
 */
export class Supervised {
  private child: ChildProcess | undefined;
  private stopped = false;
  private killedOnPurpose = 0;
  /** Exits the scenario did not cause: a crash, a poison job. */
  crashes = 0;
  /** Starts, the first included. */
  starts = 0;
  readonly unexpected: string[] = [];
  private readonly recent: string[] = [];
  private ready: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly script: string,
    private readonly env: () => Record<string, string>,
  ) {}

  /** Starts it and waits until it prints "ready". */
  start(): Promise<void> {
    this.starts += 1;
    const child = spawn(process.execPath, ['--enable-source-maps', this.script], {
      env: { ...process.env, ...this.env() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const lines = createInterface({ input: child.stdout });
    const errors = createInterface({ input: child.stderr });
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.name} was not ready within ${READY_TIMEOUT_MS} ms:\n${this.output()}`));
      }, READY_TIMEOUT_MS);
      lines.on('line', (line) => {
        this.remember(line);
        if (line === 'ready') {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(); // a process that dies while booting is started again below
      });
    });
    errors.on('line', (line) => {
      this.remember(line);
    });
    child.once('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      if (this.stopped) return;
      if (this.killedOnPurpose > 0) this.killedOnPurpose -= 1;
      else {
        this.crashes += 1;
        this.remember(`-- exited with ${String(code ?? signal)}`);
      }
      void delay(RESTART_DELAY_MS).then(() => {
        if (!this.stopped) void this.start();
      });
    });
    return this.ready;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Waits until the current incarnation is ready (after a restart). */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** kill -9; it comes back by itself. */
  kill(): void {
    if (this.child === undefined) return;
    this.killedOnPurpose += 1;
    this.child.kill('SIGKILL');
  }

  /** SIGSTOP: frozen, sockets open, timers stopped. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  /** SIGTERM, then SIGKILL if it has not gone within `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        resolve();
      });
    });
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, graceMs);
    await exited;
    clearTimeout(timer);
  }

  output(): string {
    return this.recent.join('\n');
  }

  private remember(line: string): void {
    if (line.startsWith('UNEXPECTED')) this.unexpected.push(`${this.name}: ${line}`);
    this.recent.push(line);
    if (this.recent.length > 60) this.recent.shift();
  }
}
