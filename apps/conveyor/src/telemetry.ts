/**
 * OpenTelemetry, loaded before anything else: `node --import ./dist/apps/conveyor/src/telemetry.js
 * dist/apps/conveyor/src/main.js` (what `npm start` and the Docker image run). Configured by the
 * standard OTEL_* variables; without OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
 * or OTEL_TRACES_EXPORTER it does nothing at all. main.ts flushes buffered spans before it exits.
 */
import { register } from 'node:module';

const configured = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_TRACES_EXPORTER',
].some((name) => (process.env[name] ?? '') !== '' && process.env[name] !== 'none');

if (configured) {
  // ESM modules are only instrumented through this loader hook.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
  const { PgInstrumentation } = await import('@opentelemetry/instrumentation-pg');
  const sdk = new NodeSDK({
    serviceName: process.env['OTEL_SERVICE_NAME'] ?? 'conveyor',
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) =>
          request.url === '/metrics' || (request.url ?? '').startsWith('/health'),
      }),
      // Statement text only, never parameters: they carry payloads.
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
    ],
  });
  sdk.start();
}
