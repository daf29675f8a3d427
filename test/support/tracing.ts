import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

/**
 * What telemetry.ts sets up in production, with an in-memory exporter instead of OTLP: for a test
 * file that reads the spans the service makes. `disable` in afterAll.
 */
export function installInMemoryTracing(): { exporter: InMemorySpanExporter; disable(): void } {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return {
    exporter,
    disable() {
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** Runs `work` in a span, as the http instrumentation's server span stands around a request in production. */
export function asRequest<T>(
  name: string,
  work: () => Promise<T>,
): Promise<{ result: T; traceId: string; spanId: string }> {
  return trace.getTracer('test').startActiveSpan(name, async (span) => {
    try {
      const result = await work();
      return { result, traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
    } finally {
      span.end();
    }
  });
}
