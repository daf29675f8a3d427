import { Injectable, type OnModuleInit } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { SpanStatusCode, trace } from '@opentelemetry/api';

export const tracer = trace.getTracer('conveyor');

/** Runs `work` in a span named `name`; records an error and rethrows it. */
export function inSpan<T>(
  name: string,
  attributes: Record<string, string>,
  work: () => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

type Execute = (message: object, ...rest: unknown[]) => Promise<unknown>;

/**
 * One span per command and query on the CQRS buses (the Nest instrumentation does not support
 * Nest 12). It wraps the two bus instances of this application, nothing global.
 */
@Injectable()
export class BusTracing implements OnModuleInit {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  onModuleInit(): void {
    // The buses' execute overloads are generic; one untyped signature covers both here.
    wrap(this.commandBus as unknown as { execute: Execute }, 'command');
    wrap(this.queryBus, 'query');
  }
}

function wrap(bus: { execute: Execute }, kind: string): void {
  const execute = bus.execute.bind(bus);
  bus.execute = (message, ...rest) => {
    const name = message.constructor.name.replace(/(Command|Query)$/, '');
    return inSpan(`${kind} ${name}`, { 'conveyor.cqrs.kind': kind, 'conveyor.cqrs.name': name }, () =>
      execute(message, ...rest),
    );
  };
}
