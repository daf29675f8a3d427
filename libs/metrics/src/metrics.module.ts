import { Module } from '@nestjs/common';
import { JobMetrics } from './job-metrics.js';
import { MetricsController } from './metrics.controller.js';
import { CountExpiredLeases, CountOutcomes, CountSubmits, ObserveWaits } from './metrics.handlers.js';

/** GET /metrics, fed by the jobs library's lifecycle events. */
@Module({
  controllers: [MetricsController],
  providers: [JobMetrics, CountSubmits, ObserveWaits, CountOutcomes, CountExpiredLeases],
  exports: [JobMetrics],
})
export class MetricsModule {}
