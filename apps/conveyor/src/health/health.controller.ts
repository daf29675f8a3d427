import { Controller, Get, HttpStatus, Inject } from '@nestjs/common';
import {
  HealthCheckService,
  type HealthCheckResult,
  HealthIndicatorService,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags, type SchemaObject } from '@nestjs/swagger';
import { Public } from '#conveyor/auth';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '#conveyor/config';
import { Sql } from '#conveyor/database';
import { ApiProblems, ProblemException } from '#conveyor/http';
import { WorkerService } from '#conveyor/worker';
import { EventLoopMonitor } from './event-loop-monitor.js';
import { ShutdownSignal } from './readiness.js';

const CHECKS: { type: 'object'; additionalProperties: SchemaObject } = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: { status: { type: 'string', enum: ['up', 'down'] } },
    required: ['status'],
    additionalProperties: true,
  },
};

/** Terminus' answer when every check is up. */
class HealthDocument {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';

  @ApiProperty({ ...CHECKS, description: 'Each check, by name, with what it measured.' })
  info: Record<string, unknown>;

  @ApiProperty({ ...CHECKS, description: 'The failing checks: none.' })
  error: Record<string, unknown>;

  @ApiProperty({ ...CHECKS, description: 'Every check.' })
  details: Record<string, unknown>;
}

/**
 * Kubernetes probes. Liveness never touches the database: a database outage must make pods
 * unready, not restart them. Readiness names every failing check in a 503 problem document.
 */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  private migrationsApplied = false;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
    private readonly sql: Sql,
    private readonly worker: WorkerService,
    private readonly eventLoop: EventLoopMonitor,
    private readonly shutdown: ShutdownSignal,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the event loop is not stalled. Restart the process on failure.' })
  @ApiOkResponse({ type: HealthDocument })
  @ApiProblems(503)
  live(): Promise<HealthCheckResult> {
    return this.run([() => this.eventLoopCheck()]);
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: database, migrations, pool and worker loops are fine, and no shutdown is under way.',
  })
  @ApiOkResponse({ type: HealthDocument })
  @ApiProblems(503)
  ready(): Promise<HealthCheckResult> {
    return this.run([
      () => this.shutdownCheck(),
      () => this.databaseCheck(),
      () => this.migrationsCheck(),
      () => this.poolCheck(),
      () => this.workerCheck(),
    ]);
  }

  private async run(
    checks: (() => Promise<HealthIndicatorResult> | HealthIndicatorResult)[],
  ): Promise<HealthCheckResult> {
    try {
      return await this.health.check(checks);
    } catch (error) {
      const result = (error as { getResponse?: () => HealthCheckResult }).getResponse?.();
      if (result === undefined) throw error;
      const failing = Object.keys(result.error ?? {});
      throw ProblemException.of(
        HttpStatus.SERVICE_UNAVAILABLE,
        'not-ready',
        'Not ready.',
        `failing: ${failing.join(', ')}`,
        { checks: result.details },
      );
    }
  }

  private eventLoopCheck(): HealthIndicatorResult {
    const delayMs = Math.round(this.eventLoop.takeMaxDelayMs());
    const check = this.indicators.check('eventLoop');
    return delayMs <= this.config.health.maxEventLoopDelayMs
      ? check.up({ delayMs })
      : check.down({ delayMs });
  }

  private shutdownCheck(): HealthIndicatorResult {
    const check = this.indicators.check('shutdown');
    return this.shutdown.isDraining ? check.down({ message: 'draining' }) : check.up();
  }

  private async databaseCheck(): Promise<HealthIndicatorResult> {
    return this.indicators
      .check('database')
      .attempt(async () => {
        await this.sql.rows('SELECT 1');
      })
      .withTimeout(this.config.health.databaseTimeoutMs);
  }

  private async migrationsCheck(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('migrations');
    // Once applied, they stay applied for the life of the process: a new migration comes with a deploy.
    if (!this.migrationsApplied) {
      try {
        this.migrationsApplied = !(await this.dataSource.showMigrations());
      } catch {
        return check.down({ message: 'cannot read the migrations table' });
      }
    }
    return this.migrationsApplied ? check.up() : check.down({ message: 'pending' });
  }

  private poolCheck(): HealthIndicatorResult {
    const { totalCount, idleCount, waitingCount } = this.sql.pool;
    const check = this.indicators.check('pool');
    const data = { inUse: totalCount - idleCount, idle: idleCount, waiting: waitingCount };
    return waitingCount <= this.config.health.maxPoolWaiting ? check.up(data) : check.down(data);
  }

  private workerCheck(): HealthIndicatorResult {
    const check = this.indicators.check('worker');
    const { running, sinceLastLoopMs } = this.worker.loopStatus();
    if (!running) return check.up({ message: 'no claim loops in this process' });
    // A loop goes round at least every poll interval; allow for a slow claim.
    const limitMs = 3 * this.config.worker.pollIntervalMs + this.config.health.databaseTimeoutMs + 5000;
    return sinceLastLoopMs <= limitMs ? check.up({ sinceLastLoopMs }) : check.down({ sinceLastLoopMs });
  }
}
