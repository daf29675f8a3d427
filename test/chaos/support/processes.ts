import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';

const READY_TIMEOUT_MS = 60_000;
/** How long a crashed process stays down before it is started again (Kubernetes waits longer). */
const RESTART_DELAY_MS = 200;

export interface SupervisedOptions {
  /**
   * Ready once this answers 200 (a service's /health/ready), as a readiness probe sees it, instead
   * of once the process prints "ready".
   */
  readyUrl?: string;
  /** Lines that must not be printed besides those starting with UNEXPECTED (a service's errors). */
  isUnexpected?: (line: string) => boolean;
}

/** How a process ended: its exit code, or the signal that ended it. */
export type Ending = number | NodeJS.Signals | null;

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
    private readonly options: SupervisedOptions = {},
  ) {}

  /** Starts it (again, after stop()) and waits until it is ready. */
  start(): Promise<void> {
    this.stopped = false;
    this.starts += 1;
    const child = spawn(process.execPath, ['--enable-source-maps', this.script], {
      env: { ...process.env, ...this.env() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const lines = createInterface({ input: child.stdout });
    const errors = createInterface({ input: child.stderr });
    const { readyUrl } = this.options;
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.name} was not ready within ${READY_TIMEOUT_MS} ms:\n${this.output()}`));
      }, READY_TIMEOUT_MS);
      const ready = (): void => {
        clearTimeout(timer);
        resolve();
      };
      lines.on('line', (line) => {
        this.remember(line);
        if (readyUrl === undefined && line === 'ready') ready();
      });
      // A process that dies while booting is started again below.
      child.once('exit', ready);
      if (readyUrl !== undefined) {
        void probe(readyUrl, child).then((answered) => {
          if (answered) ready();
        });
      }
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

  /** kill -9; it comes back by itself, unless `restart` is false: then it stays down until start(). */
  kill(restart = true): void {
    if (this.child === undefined) return;
    if (restart) this.killedOnPurpose += 1;
    else this.stopped = true;
    this.child.kill('SIGKILL');
  }

  /** SIGSTOP: frozen, sockets open, timers stopped. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  /**
   * SIGTERM, then SIGKILL if it has not gone within `graceMs`; how it ended (null when it was not
   * running). It stays down until start().
   */
  async stop(graceMs = 10_000): Promise<Ending> {
    this.stopped = true;
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return null;
    const exited = new Promise<Ending>((resolve) => {
      child.once('exit', (code, signal) => {
        resolve(code ?? signal);
      });
    });
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, graceMs);
    const ending = await exited;
    clearTimeout(timer);
    return ending;
  }

  output(): string {
    return this.recent.join('\n');
  }

  private remember(line: string): void {
    if (line.startsWith('UNEXPECTED') || this.options.isUnexpected?.(line) === true) {
      this.unexpected.push(`${this.name}: ${line}`);
    }
    this.recent.push(line);
    if (this.recent.length > 60) this.recent.shift();
  }
}

/** Polls `url` until it answers 200 (true), or `child` exits or READY_TIMEOUT_MS runs out (false). */
async function probe(url: string, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).status === 200) return true;
    } catch {
      // not listening yet
    }
    await delay(100);
  }
  return false;
}
