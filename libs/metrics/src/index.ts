export { JobMetrics } from './job-metrics.js';
export { MetricsModule } from './metrics.module.js';
