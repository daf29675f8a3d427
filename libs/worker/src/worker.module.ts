import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JOB_TYPE_RULES, JobsModule } from '#conveyor/jobs';
import { CallbackHandler } from './callback.handler.js';
import { CronSchedulerService } from './cron-scheduler.service.js';
import { HandlerRegistry } from './handler-registry.js';
import { HousekeepingService } from './housekeeping.service.js';
import { StatsCompactor } from './stats-compactor.js';
import { WorkerService } from './worker.service.js';

/**
 * Finds @JobHandler providers anywhere in the app and, unless CONVEYOR_ROLE=api, runs them.
 * The stats compactor runs in every role.
 * Global so that the submit path (jobs library) gets the handlers' payload rules.
 */
@Global()
@Module({
  imports: [DiscoveryModule, JobsModule],
  providers: [
    HandlerRegistry,
    { provide: JOB_TYPE_RULES, useExisting: HandlerRegistry },
    WorkerService,
    HousekeepingService,
    CronSchedulerService,
    StatsCompactor,
    CallbackHandler,
  ],
  exports: [JOB_TYPE_RULES, HandlerRegistry, WorkerService, HousekeepingService, CronSchedulerService],
})
export class WorkerModule {}
