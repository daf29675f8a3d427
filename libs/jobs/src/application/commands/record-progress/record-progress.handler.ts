import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { InvalidJobFieldError } from '../../../domain/job.errors.js';
import { JobLifecycle } from '../../lifecycle/job-lifecycle.js';
import { replayOrRefuse } from '../../refusals.js';
import { type ProgressResult, RecordProgressCommand } from './record-progress.command.js';

/** A job's progress is written at most this often; reports in between are dropped. */
export const PROGRESS_INTERVAL_SECONDS = 0.25;
/** The largest progress object, as JSON text. */
export const MAX_PROGRESS_BYTES = 4096;

@CommandHandler(RecordProgressCommand)
export class RecordProgressHandler implements ICommandHandler<RecordProgressCommand> {
  constructor(private readonly lifecycle: JobLifecycle) {}

  async execute({
    namespace,
    id,
    leaseToken,
    percent,
    data,
  }: RecordProgressCommand): Promise<ProgressResult> {
    if (data !== null && Buffer.byteLength(JSON.stringify(data)) > MAX_PROGRESS_BYTES) {
      throw new InvalidJobFieldError('data', `data must be at most ${MAX_PROGRESS_BYTES} bytes of JSON`);
    }
    const outcome = await this.lifecycle.recordProgress(
      namespace,
      { id, leaseToken },
      // Hundredths are plenty, and keep what the column stores (a real) within its range.
      { percent: percent === null ? null : Math.round(percent * 100) / 100, data },
      PROGRESS_INTERVAL_SECONDS,
    );
    if (outcome !== 'refused') return { recorded: outcome === 'recorded' };
    await replayOrRefuse(this.lifecycle, namespace, id, leaseToken, 'heartbeat');
    // Progress is never a replay: the explainer refuses it on a lease that has ended.
    throw new Error(`job ${id}: refused progress was explained as a replay`);
  }
}
