export { JobMetrics } from './job-metrics.js';
export { MetricsModule } from './metrics.module.js';
export { MetricsServer } from './metrics-server.js';
