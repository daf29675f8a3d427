/**
 * A counting semaphore whose waits can be given up: `acquire` resolves with a release function
 * once a permit is free (waiters are served in order), or rejects with the signal's reason if the
 * signal fires first.
 */
export class Permits {
  private free: number;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly size: number) {
    this.free = size;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal.removeEventListener('abort', giveUp);
        resolve(this.releaser());
      };
      const giveUp = (): void => {
        this.waiters.splice(this.waiters.indexOf(grant), 1);
        reject(signal.reason as Error);
      };
      this.waiters.push(grant);
      signal.addEventListener('abort', giveUp, { once: true });
    });
  }

  /** Gives the permit back once, however often it is called. */
  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next === undefined) this.free += 1;
      else next();
    };
  }
}
