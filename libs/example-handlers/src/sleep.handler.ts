import { setTimeout as delay } from 'node:timers/promises';
import { IsInt, Max, Min } from 'class-validator';
import { type JobContext, JobHandler, type JobHandlerInstance } from '#conveyor/worker';

export class SleepPayload {
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  ms: number;
}

/** Waits `ms` milliseconds, and stops at once when the attempt is aborted. */
@JobHandler('sleep', { payload: SleepPayload })
export class SleepHandler implements JobHandlerInstance<SleepPayload> {
  async handle(payload: SleepPayload, context: JobContext): Promise<{ sleptMs: number }> {
    await delay(payload.ms, undefined, { signal: context.signal });
    return { sleptMs: payload.ms };
  }
}
