import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '#conveyor/config';
import { EventBus } from '@nestjs/cqrs';
import { JobRepository, JobSettled, LeaseExpired } from '#conveyor/jobs';
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
    private readonly repository: JobRepository,
    private readonly events: EventBus,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.worker.role === 'api') return;
    const warn = (what: string) => (error: unknown) => {
      this.logger.warn(`${what} failed: ${errorMessage(error)}`);
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
    const reaped = await this.repository.reapExpiredLeases(REAP_BATCH);
    for (const job of reaped) {
      this.events.publish(new LeaseExpired(job.queue, job.type));
      this.events.publish(
        new JobSettled(job.queue, job.type, job.status === 'dead_letter' ? 'dead_letter' : 'failed', null),
      );
    }
    if (reaped.length > 0) {
      const dead = reaped.filter((job) => job.status === 'dead_letter').length;
      this.logger.warn(
        `reaped ${reaped.length} expired lease(s): ${reaped.length - dead} to retry, ${dead} dead-lettered`,
      );
    }
    return reaped.length;
  }

  async applyRetention(): Promise<{ finished: number; deadLetter: number; keys: number }> {
    const { finishedSeconds, deadLetterSeconds } = this.config.retention;
    const finished = await this.inBatches(() =>
      this.repository.deleteFinished(['completed', 'cancelled'], finishedSeconds, DELETE_BATCH),
    );
    const deadLetter = await this.inBatches(() =>
      this.repository.deleteFinished(['dead_letter'], deadLetterSeconds, DELETE_BATCH),
    );
    const keys = await this.inBatches(() => this.repository.deleteExpiredKeys(DELETE_BATCH));
    if (finished + deadLetter + keys > 0) {
      this.logger.log(
        `retention deleted ${finished} finished, ${deadLetter} dead-lettered job(s), ${keys} expired key(s)`,
      );
    }
    return { finished, deadLetter, keys };
  }

  private async inBatches(batch: () => Promise<number>): Promise<number> {
    let total = 0;
    for (let round = 0; round < MAX_DELETE_BATCHES; round += 1) {
      const deleted = await batch();
      total += deleted;
      if (deleted < DELETE_BATCH) break;
    }
    return total;
  }
}
