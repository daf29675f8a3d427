import { applyDecorators, Injectable, SetMetadata } from '@nestjs/common';
import type { BackoffPolicy } from '#conveyor/jobs';
import type { JobContext } from './job-context.js';

export interface CronSchedule {
  /** Five or six fields, as understood by cron-parser: `0 3 * * *` is 03:00 every day. */
  expression: string;
  /** IANA zone the expression is read in; default UTC. */
  timeZone?: string;
  /** Payload of each scheduled job; default `{}`. */
  payload?: Record<string, unknown>;
}

export interface JobHandlerOptions<P extends object = object> {
  /** The namespace whose jobs of this type this handler runs; default `default`. */
  namespace?: string;
  /** Class-validator DTO: payloads are validated at submit (400) and handed to `handle` as an instance. */
  payload?: new () => P;
  /** Queue the type's jobs go to when the submit names none; default `default`. */
  queue?: string;
  /** Jobs of this type run at once in this process; default CONVEYOR_HANDLER_CONCURRENCY. */
  concurrency?: number;
  /**
   * Jobs of this type run at once across the whole cluster, REST workers included (docs/queues.md).
   * Set at every boot of a worker; `PUT /v1/queues/{queue}/limits` changes it until the next.
   */
  globalConcurrency?: number;
  /**
   * At most `limit` jobs of this type started per `periodSeconds` (default 1) across the cluster,
   * for handlers that call a rate-limited API. Set at every boot of a worker, like globalConcurrency.
   */
  rateLimit?: { limit: number; periodSeconds?: number };
  /** The attempt is aborted and failed (retryable) after this long; default CONVEYOR_HANDLER_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Defaults for submits of this type that do not say. */
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  /** Enqueue a job of this type on a schedule, once per slot across all replicas. */
  cron?: CronSchedule;
}

/** What a class marked with @JobHandler implements. */
export interface JobHandlerInstance<P extends object = object> {
  handle(payload: P, context: JobContext): Promise<unknown>;
}

export const JOB_HANDLER_METADATA = 'conveyor:job-handler';

export interface JobHandlerMetadata {
  type: string;
  options: JobHandlerOptions;
}

/**
 * Marks a provider as the in-process handler of one job type. Put the class in any module the app
 * imports; it is found at boot. Two handlers for one type in one namespace stop the boot.
 *
 * ```ts
 * @JobHandler('email.send', { payload: SendEmailPayload, concurrency: 20, timeoutMs: 10_000 })
 * export class SendEmailHandler implements JobHandlerInstance<SendEmailPayload> { ... }
 * ```
 */
export function JobHandler<P extends object>(
  type: string,
  options: JobHandlerOptions<P> = {},
): ClassDecorator {
  const metadata: JobHandlerMetadata = { type, options: options };
  return applyDecorators(Injectable(), SetMetadata(JOB_HANDLER_METADATA, metadata));
}
