import { randomUUID } from 'node:crypto';
import { context, propagation } from '@opentelemetry/api';
import { Inject, Optional } from '@nestjs/common';
import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '#conveyor/config';
import { type BackoffPolicy, DEFAULT_BACKOFF } from '../../../domain/backoff.js';
import { DEFAULT_QUEUE } from '../../../domain/defaults.js';
import { jobFingerprint } from '../../../domain/fingerprint.js';
import { JobSubmitted } from '../../../domain/lifecycle.events.js';
import {
  InvalidJobFieldError,
  InvalidPayloadError,
  UnknownJobTypeError,
} from '../../../domain/job.errors.js';
import { SubmitGroupCommitter } from '../../../infrastructure/submit-group-committer.js';
import { JOB_TYPE_RULES, type JobTypeRules } from '../../job-type-rules.js';
import { SubmitJobCommand, type SubmitJobResult } from './submit-job.command.js';

/** The active trace as a W3C traceparent; captured here, before group commit leaves this async context. */
function currentTraceparent(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier['traceparent'] ?? null;
}

@CommandHandler(SubmitJobCommand)
export class SubmitJobHandler implements ICommandHandler<SubmitJobCommand> {
  constructor(
    private readonly committer: SubmitGroupCommitter,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
    private readonly events: EventBus,
    @Optional() @Inject(JOB_TYPE_RULES) private readonly rules: JobTypeRules | undefined,
  ) {}

  async execute({ input }: SubmitJobCommand): Promise<SubmitJobResult> {
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
    const fingerprint = jobFingerprint(input.type, queue, input.payload);
    const result = await this.committer.submit({
      id: randomUUID(),
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
      traceparent: currentTraceparent(),
    });
    this.events.publish(new JobSubmitted(result.job.queue, result.job.type, !result.created));
    return result;
  }
}
