/** How long a retryable failure waits. The delay itself is computed in SQL (sql/settle.sql.ts). */
export interface BackoffPolicy {
  readonly type: 'exponential' | 'fixed';
  readonly delayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { type: 'exponential', delayMs: 1000, maxDelayMs: 300_000 };
