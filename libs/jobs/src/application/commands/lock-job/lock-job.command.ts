import { Command } from '@nestjs/cqrs';
import type { JobTransaction } from '../../ports/job-store.js';

/**
 * An in-process handler's transaction, just begun, takes hold of its job under the live lease: until
 * it ends, nobody else can claim, reap or settle the job, even once the lease has run out, and the
 * completion or failure inside it needs only the lease token (docs/handlers.md, "Transactions").
 * Refused (409, 404) like a heartbeat when the lease is not the caller's or no longer alive.
 */
export class LockJobCommand extends Command<void> {
  constructor(
    readonly namespace: string,
    readonly id: string,
    readonly leaseToken: string,
    readonly transaction: JobTransaction,
  ) {
    super();
  }
}
