import { Command } from '@nestjs/cqrs';
import type { LeaseProof } from '../../ports/job-store.js';

/** A draining worker hands jobs back: pending again, due now, the attempt not counted. How many went back. */
export class ReleaseJobsCommand extends Command<number> {
  constructor(
    readonly namespace: string,
    readonly proofs: readonly LeaseProof[],
  ) {
    super();
  }
}
