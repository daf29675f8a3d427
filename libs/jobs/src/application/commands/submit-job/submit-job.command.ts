import { Command } from '@nestjs/cqrs';
import type { BackoffPolicy } from '../../../domain/backoff.js';
import type { JobView } from '../../job-view.js';

/**
 * A submit as the client sent it. Omitted (null) fields take the defaults of the type's in-process
 * handler if it has one, then the service's.
 */
export interface SubmitJobInput {
  namespace: string;
  type: string;
  queue: string | null;
  payload: Record<string, unknown>;
  priority: number;
  runAt: Date | null;
  maxAttempts: number | null;
  backoff: Partial<BackoffPolicy> | null;
  /** Explicit key from the body or the Idempotency-Key header; null derives it from the content. */
  idempotencyKey: string | null;
  dedupeWindowSeconds: number | null;
  /** Whose job this is, for the queue's per-key concurrency limit; null for none. */
  concurrencyKey?: string | null;
  /** Where to POST the outcome when the job finishes; its host must be allowed (docs/queues.md). */
  callbackUrl?: string | null;
}

export interface SubmitJobResult {
  /** false: the key was already taken within its window and `job` is the original. */
  created: boolean;
  job: JobView;
}

export class SubmitJobCommand extends Command<SubmitJobResult> {
  constructor(readonly input: SubmitJobInput) {
    super();
  }
}
