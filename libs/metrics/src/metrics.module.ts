import { Module } from '@nestjs/common';
import { AuthModule } from '#conveyor/auth';
import { JobMetrics } from './job-metrics.js';
import { MetricsServer } from './metrics-server.js';
import { CountExpiredLeases, CountOutcomes, CountSubmits, ObserveWaits } from './metrics.handlers.js';

/** GET /metrics on its own port (CONVEYOR_METRICS_PORT), fed by the jobs library's lifecycle events. */
@Module({
  imports: [AuthModule],
  providers: [JobMetrics, MetricsServer, CountSubmits, ObserveWaits, CountOutcomes, CountExpiredLeases],
  exports: [JobMetrics, MetricsServer],
})
export class MetricsModule {}
