import { Command } from '@nestjs/cqrs';
import type { BackoffPolicy } from '../../../domain/backoff.js';
import type { JobView } from '../../job-view.js';

export interface SubmitJobInput {
  namespace: string;
  type: string;
  queue: string;
  payload: Record<string, unknown>;
  priority: number;
  runAt: Date | null;
  maxAttempts: number;
  backoff: BackoffPolicy;
  /** Explicit key from the body or the Idempotency-Key header; null derives it from the content. */
  idempotencyKey: string | null;
  dedupeWindowSeconds: number;
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
