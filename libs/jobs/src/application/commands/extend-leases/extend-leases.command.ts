import { Command } from '@nestjs/cqrs';
import type { LeaseProof } from '../../ports/job-store.js';

/**
 * The in-process worker's batched heartbeat: every lease it holds in a namespace, in one
 * statement. The answer maps each job whose lease was extended to its new end; a job missing from
 * it has been lost (expired and re-claimed, cancelled, or settled).
 */
export class ExtendLeasesCommand extends Command<Map<string, Date>> {
  constructor(
    readonly namespace: string,
    readonly proofs: readonly LeaseProof[],
    readonly leaseSeconds: number,
  ) {
    super();
  }
}
