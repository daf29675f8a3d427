import { Command } from '@nestjs/cqrs';
import type { ClaimedJobView } from '../../job-view.js';

export interface ClaimJobInput {
  namespace: string;
  queue: string;
  /** Only these types; null for any. */
  types: readonly string[] | null;
  limit: number;
  leaseSeconds: number;
  workerId: string | null;
}

/** Leases up to `limit` due jobs; an empty list when nothing is due. */
export class ClaimJobCommand extends Command<ClaimedJobView[]> {
  constructor(readonly input: ClaimJobInput) {
    super();
  }
}
