import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '#conveyor/config';
import { DatabaseOutage } from '#conveyor/database';
import { ApplyRetentionCommand, ReapExpiredLeasesCommand, type RetentionResult } from '#conveyor/jobs';
import { errorMessage } from './error-message.js';
import { repeat } from './timing.js';

const REAP_BATCH = 1000;
const DELETE_BATCH = 1000;
/** Per retention run and kind, at most this many batches: the rest waits for the next run. */
const MAX_DELETE_BATCHES = 50;

/**
 * The reaper (expired leases back to failed or dead_letter within seconds of expiry) and
 * retention (finished jobs, their history and expired idempotency keys deleted in small batches).
 * Every instance with a worker runs both: the statements use SKIP LOCKED and status guards, so
 * instances share the work instead of colliding.
 */
@Injectable()
export class HousekeepingService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Housekeeping');
  private stops: (() => Promise<void>)[] = [];

  constructor(
    private readonly commandBus: CommandBus,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
    private readonly outage: DatabaseOutage,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.worker.role === 'api') return;
    const warn = (what: string) => (error: unknown) => {
      this.outage.backgroundFailed(error, () => {
        this.logger.warn(`${what} failed: ${errorMessage(error)}`);
      });
    };
    this.stops = [
      repeat(
        this.config.worker.reaperIntervalMs,
        async () => {
          await this.reapExpiredLeases();
        },
        warn('reaper'),
      ),
      repeat(
        this.config.retention.intervalMs,
        async () => {
          await this.applyRetention();
        },
        warn('retention'),
      ),
    ];
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.stops.map((stop) => stop()));
  }

  async reapExpiredLeases(): Promise<number> {
    const { reaped, deadLettered } = await this.commandBus.execute(new ReapExpiredLeasesCommand(REAP_BATCH));
    if (reaped > 0) {
      this.logger.warn(
        `reaped ${reaped} expired lease(s): ${reaped - deadLettered} to retry, ${deadLettered} dead-lettered`,
      );
    }
    return reaped;
  }

  async applyRetention(): Promise<RetentionResult> {
    const { finishedSeconds, deadLetterSeconds } = this.config.retention;
    const deleted = await this.commandBus.execute(
      new ApplyRetentionCommand(finishedSeconds, deadLetterSeconds, DELETE_BATCH, MAX_DELETE_BATCHES),
    );
    const { finished, deadLetter, keys, workflows } = deleted;
    if (finished + deadLetter + keys + workflows > 0) {
      this.logger.log(
        `retention deleted ${finished} finished, ${deadLetter} dead-lettered job(s), ${keys} expired key(s), ${workflows} workflow(s)`,
      );
    }
    return deleted;
  }
}
