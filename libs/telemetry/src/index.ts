export { BusTracing, inSpan, tracer } from './bus-tracing.js';
export { flushTraces, traceLogFields } from './log-fields.js';
export { TelemetryModule } from './telemetry.module.js';
