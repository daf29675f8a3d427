/** The waiting port (long polls): resolves when a job may have changed, or when time is up. */
export const JOB_WAITS = Symbol('JOB_WAITS');

export interface JobWaits {
  /**
   * Registers a wait for `id`, then calls `check` (which reads the job: true when the wait is over)
   * and, as long as it is false, again each time the job's status changes, until `timeoutMs`.
   * Rejects with TooManyWaitersError when this instance already holds its most waits.
   */
  waitFor(id: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void>;
}
