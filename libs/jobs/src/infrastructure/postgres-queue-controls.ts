import { Injectable } from '@nestjs/common';
import { Sql } from '#conveyor/database';
import type { QueueLimits } from '../application/commands/set-queue-limits/set-queue-limits.command.js';
import type { QueueControls } from '../application/ports/queue-controls.js';
import { SET_QUEUE_LIMITS, SET_QUEUE_PAUSED } from './sql/queues.sql.js';

@Injectable()
export class PostgresQueueControls implements QueueControls {
  constructor(private readonly sql: Sql) {}

  async setPaused(namespace: string, queue: string, type: string | null, paused: boolean): Promise<void> {
    await this.sql.rows(SET_QUEUE_PAUSED, [namespace, queue, type ?? '', paused]);
  }

  async setLimits(namespace: string, queue: string, type: string | null, limits: QueueLimits): Promise<void> {
    await this.sql.rows(SET_QUEUE_LIMITS, [
      namespace,
      queue,
      type ?? '',
      limits.concurrency,
      limits.perKey,
      limits.rate?.limit ?? null,
      limits.rate?.periodSeconds ?? null,
    ]);
  }
}
