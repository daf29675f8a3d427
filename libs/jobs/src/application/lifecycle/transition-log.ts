import { Logger } from '@nestjs/common';
import type { LogLevel } from '#conveyor/config';
import type { JobView } from '../job-view.js';

/** The trace id of a W3C traceparent (00-<trace id>-<span id>-<flags>), or undefined. */
function traceIdOf(traceparent: string | null): string | undefined {
  const traceId = traceparent?.split('-')[1];
  return traceId !== undefined && /^[0-9a-f]{32}$/.test(traceId) ? traceId : undefined;
}

/**
 * One log line per transition, written by the lifecycle alone: `debug` for the routine ones
 * (submitted, claimed, completed, released, cancelled, retried), `warn` for failures, expired
 * leases and dead letters. Each carries the job's id, type, queue, attempt and status, how long
 * the step took where that means something, and the job's own trace id (from the traceparent of
 * its submit): with LOG_LEVEL=debug, `jq 'select(.trace_id == "...")'` shows a job's whole life,
 * across instances, under the trace of the request that submitted it.
 */
export class TransitionLog {
  private readonly logger = new Logger('Lifecycle');
  /**
   * Whether debug lines are written: when not, none is built (a workflow's submit is a thousand),
   * and a caller skips gathering what only they would show.
   */
  readonly debugging: boolean;

  constructor(level: LogLevel) {
    this.debugging = level === 'debug' || level === 'trace';
  }

  debug(message: string, job: JobView, extra: Record<string, unknown> = {}): void {
    if (this.debugging) this.logger.debug(this.line(message, job, extra));
  }

  warn(message: string, job: JobView, extra: Record<string, unknown> = {}): void {
    this.logger.warn(this.line(message, job, extra));
  }

  private line(message: string, job: JobView, extra: Record<string, unknown>): Record<string, unknown> {
    const traceId = traceIdOf(job.traceparent);
    return {
      msg: message,
      jobId: job.id,
      jobType: job.type,
      queue: job.queue,
      namespace: job.namespace,
      attempt: job.attempts,
      status: job.status,
      ...extra,
      // The job's trace, not the trace of whatever span is active here (a claim loop, a reaper):
      // these override the fields the logger's mixin takes from the active span.
      ...(traceId === undefined ? {} : { trace_id: traceId, span_id: undefined }),
    };
  }
}

/** Milliseconds from the claim to the job's last change: how long the attempt ran. */
export function attemptMs(job: JobView): number | undefined {
  return job.claimedAt === null ? undefined : job.updatedAt.getTime() - job.claimedAt.getTime();
}
