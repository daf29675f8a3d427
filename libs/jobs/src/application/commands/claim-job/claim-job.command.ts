import { Command } from '@nestjs/cqrs';
import type { ClaimedJobView } from '../../job-view.js';
import type { ClaimRequest } from '../../ports/job-store.js';

export type ClaimJobInput = ClaimRequest;

/** Leases up to `limit` due jobs; an empty list when nothing is due. */
export class ClaimJobCommand extends Command<ClaimedJobView[]> {
  constructor(readonly input: ClaimJobInput) {
    super();
  }
}
