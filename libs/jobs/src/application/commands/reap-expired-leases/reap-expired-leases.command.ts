import { Command } from '@nestjs/cqrs';

/**
 * Jobs whose worker stopped heartbeating go back to `failed` (retry after the backoff) or to
 * `dead_letter` when that was their last attempt; at most `limit` per call.
 */
export class ReapExpiredLeasesCommand extends Command<{ reaped: number; deadLettered: number }> {
  constructor(readonly limit: number) {
    super();
  }
}
