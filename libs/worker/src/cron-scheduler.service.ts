import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { CronExpressionParser } from 'cron-parser';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '#conveyor/config';
import { DatabaseOutage } from '#conveyor/database';
import { GetDatabaseTimeQuery, SubmitJobCommand } from '#conveyor/jobs';
import { HandlerRegistrationError, HandlerRegistry, type RegisteredHandler } from './handler-registry.js';
import type { CronSchedule } from './job-handler.decorator.js';
import { repeat } from './timing.js';
import { errorMessage } from './error-message.js';

const TICK_MS = 1000;
/** A slot older than this is not enqueued late: after downtime the schedule resumes, it does not replay. */
const CATCH_UP_MS = 60_000;
/** Long enough that no replica can still be looking at a slot when its key expires. */
const SLOT_KEY_WINDOW_SECONDS = (2 * CATCH_UP_MS) / 1000;

interface Scheduled {
  handler: RegisteredHandler;
  schedule: CronSchedule;
  lastSlot: number;
}

/**
 * Enqueues the jobs of handlers declared with `cron`. Every replica ticks; each slot's job has the
 * idempotency key `cron:<type>:<slot>`, so the database lets exactly one of them create it.
 * Slots are computed from the database clock.
 */
@Injectable()
export class CronSchedulerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Cron');
  private scheduled: Scheduled[] = [];
  private stop: (() => Promise<void>) | undefined;

  constructor(
    private readonly registry: HandlerRegistry,
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
    private readonly outage: DatabaseOutage,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduled = this.registry.all().flatMap((handler) => {
      const schedule = handler.options.cron;
      if (schedule === undefined) return [];
      try {
        CronExpressionParser.parse(schedule.expression, { tz: schedule.timeZone ?? 'UTC' });
      } catch (error) {
        throw new HandlerRegistrationError(
          `cron of "${handler.type}" is not valid (${schedule.expression}): ${errorMessage(error)}`,
        );
      }
      return [{ handler, schedule, lastSlot: 0 }];
    });
    if (this.config.worker.role === 'api' || this.scheduled.length === 0) return;
    this.stop = repeat(
      TICK_MS,
      async () => {
        await this.tick();
      },
      (error) => {
        this.outage.backgroundFailed(error, () => {
          this.logger.warn(`tick failed: ${errorMessage(error)}`);
        });
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop?.();
  }

  /** Enqueues every slot that has come due; returns how many jobs this call created. */
  async tick(): Promise<number> {
    const now = await this.queryBus.execute(new GetDatabaseTimeQuery());
    let created = 0;
    for (const entry of this.scheduled) {
      const { expression, timeZone = 'UTC', payload = {} } = entry.schedule;
      const slot = CronExpressionParser.parse(expression, { currentDate: now, tz: timeZone })
        .prev()
        .getTime();
      if (slot <= entry.lastSlot || now.getTime() - slot > CATCH_UP_MS) continue;
      const result = await this.commandBus.execute(
        new SubmitJobCommand({
          namespace: entry.handler.namespace,
          type: entry.handler.type,
          queue: null,
          payload,
          priority: 0,
          runAt: null,
          maxAttempts: null,
          backoff: null,
          idempotencyKey: `cron:${entry.handler.type}:${new Date(slot).toISOString()}`,
          dedupeWindowSeconds: SLOT_KEY_WINDOW_SECONDS,
        }),
      );
      entry.lastSlot = slot;
      if (result.created) created += 1;
    }
    return created;
  }
}
