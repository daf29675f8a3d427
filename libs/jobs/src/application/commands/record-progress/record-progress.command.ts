import { Command } from '@nestjs/cqrs';

/** Whether the progress was kept, or dropped by the throttle (a newer report comes soon enough). */
export interface ProgressResult {
  recorded: boolean;
}

/**
 * The lease holder reports progress: a percentage (0–100) and/or a small JSON object, either null
 * to keep what was reported before. Refused (404, 409) like a heartbeat when the lease is not the
 * caller's; dropped when the job's last report is less than PROGRESS_INTERVAL_SECONDS old.
 */
export class RecordProgressCommand extends Command<ProgressResult> {
  constructor(
    readonly namespace: string,
    readonly id: string,
    readonly leaseToken: string,
    readonly percent: number | null,
    readonly data: Record<string, unknown> | null,
  ) {
    super();
  }
}
