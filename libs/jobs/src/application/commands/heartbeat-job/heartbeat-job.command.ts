import { Command } from '@nestjs/cqrs';

export interface HeartbeatResult {
  id: string;
  leaseExpiresAt: Date;
}

/** Extends a live lease to now() + leaseSeconds (database time). */
export class HeartbeatJobCommand extends Command<HeartbeatResult> {
  constructor(
    readonly namespace: string,
    readonly id: string,
    readonly leaseToken: string,
    readonly leaseSeconds: number,
  ) {
    super();
  }
}
