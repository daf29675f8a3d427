import { context, propagation } from '@opentelemetry/api';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '#conveyor/config';
import { type BackoffPolicy, DEFAULT_BACKOFF } from '../domain/backoff.js';
import { isAllowedTarget } from '../domain/allowed-hosts.js';
import { DEFAULT_QUEUE } from '../domain/defaults.js';
import { jobFingerprint } from '../domain/fingerprint.js';
import { newJobId } from '../domain/job-id.js';
import { InvalidJobFieldError, InvalidPayloadError, UnknownJobTypeError } from '../domain/job.errors.js';
import type { NewJob } from './ports/job-store.js';
import type { SubmitJobInput } from './commands/submit-job/submit-job.command.js';
import { JOB_TYPE_RULES, type JobTypeRules } from './job-type-rules.js';

/** The active trace as a W3C traceparent; captured before group commit leaves this async context. */
export function currentTraceparent(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier['traceparent'] ?? null;
}

/** An error NewJobs.prepare throws for the input (answered 400), as opposed to a fault. */
export const isSubmitInputError = (error: unknown): error is Error =>
  error instanceof InvalidPayloadError ||
  error instanceof UnknownJobTypeError ||
  error instanceof InvalidJobFieldError;

/**
 * Turns a submit into the row to insert: the type's rules (handler DTO, unknown types), then the
 * defaults of the type's handler, then the service's. Throws the input error, having written nothing.
 */
@Injectable()
export class NewJobs {
  constructor(
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
    @Optional() @Inject(JOB_TYPE_RULES) private readonly rules: JobTypeRules | undefined,
  ) {}

  prepare(input: SubmitJobInput, traceparent: string | null): NewJob {
    if (this.rules !== undefined) {
      if (!this.rules.accepts(input.namespace, input.type)) throw new UnknownJobTypeError(input.type);
      const problems = this.rules.validatePayload(input.namespace, input.type, input.payload);
      if (problems.length > 0) throw new InvalidPayloadError(input.type, problems);
    }
    const defaults = this.rules?.defaultsFor(input.namespace, input.type);
    const queue = input.queue ?? defaults?.queue ?? DEFAULT_QUEUE;
    const backoff: BackoffPolicy = { ...DEFAULT_BACKOFF, ...defaults?.backoff, ...input.backoff };
    if (backoff.maxDelayMs < backoff.delayMs) {
      throw new InvalidJobFieldError('backoff.maxDelayMs', 'maxDelayMs must not be below delayMs');
    }
    if (input.callbackUrl != null && !isAllowedTarget(this.config.webhook.allowedHosts, input.callbackUrl)) {
      throw new InvalidJobFieldError(
        'callbackUrl',
        'callbackUrl must be an http(s) URL whose host is in CONVEYOR_WEBHOOK_ALLOWED_HOSTS',
      );
    }
    const fingerprint = jobFingerprint(input.type, queue, input.payload);
    return {
      id: newJobId(),
      namespace: input.namespace,
      queue,
      type: input.type,
      payload: input.payload,
      priority: input.priority,
      runAt: input.runAt?.toISOString() ?? null,
      maxAttempts: input.maxAttempts ?? defaults?.maxAttempts ?? this.config.jobs.defaultMaxAttempts,
      backoff,
      idempotencyKey: input.idempotencyKey ?? fingerprint,
      fingerprint,
      dedupeWindowSeconds: input.dedupeWindowSeconds ?? this.config.jobs.dedupeWindowSeconds,
      traceparent,
      concurrencyKey: input.concurrencyKey ?? null,
      callbackUrl: input.callbackUrl ?? null,
    };
  }
}
