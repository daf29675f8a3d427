import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '#conveyor/config';
import { fieldErrors } from '#conveyor/http';
import type { JobTypeDefaults, JobTypeRules, PayloadFieldError } from '#conveyor/jobs';
import {
  JOB_HANDLER_METADATA,
  type JobHandlerInstance,
  type JobHandlerMetadata,
  type JobHandlerOptions,
} from './job-handler.decorator.js';

export interface RegisteredHandler {
  type: string;
  options: JobHandlerOptions;
  instance: JobHandlerInstance;
  queue: string;
  concurrency: number;
  timeoutMs: number;
}

export class HandlerRegistrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandlerRegistrationError';
  }
}

/**
 * Every @JobHandler in the application, found through Nest's discovery at boot. It also gives the
 * submit path its rules: payload validation against the handler's DTO and the type's defaults.
 */
@Injectable()
export class HandlerRegistry implements OnModuleInit, JobTypeRules {
  private readonly logger = new Logger('Handlers');
  private readonly byType = new Map<string, RegisteredHandler>();

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {}

  onModuleInit(): void {
    const owners = new Map<string, string>();
    for (const wrapper of this.discovery.getProviders()) {
      const metatype: unknown = wrapper.metatype;
      if (typeof metatype !== 'function' || wrapper.isAlias) continue;
      const metadata = Reflect.getMetadata(JOB_HANDLER_METADATA, metatype) as JobHandlerMetadata | undefined;
      if (metadata === undefined) continue;
      const { type, options } = metadata;
      const name = (metatype as { name: string }).name;
      const previous = owners.get(type);
      if (previous !== undefined) {
        throw new HandlerRegistrationError(
          `job type "${type}" has two handlers, ${previous} and ${name}: a type has exactly one`,
        );
      }
      const instance = wrapper.instance as JobHandlerInstance | undefined;
      if (instance === undefined || typeof instance.handle !== 'function') {
        throw new HandlerRegistrationError(
          `${name} is marked @JobHandler("${type}") but has no handle() method`,
        );
      }
      owners.set(type, name);
      this.byType.set(type, {
        type,
        options,
        instance,
        queue: options.queue ?? 'default',
        concurrency: options.concurrency ?? this.config.worker.handlerConcurrency,
        timeoutMs: options.timeoutMs ?? this.config.worker.handlerTimeoutMs,
      });
    }
    if (this.byType.size > 0) this.logger.log(`handlers: ${[...this.byType.keys()].sort().join(', ')}`);
  }

  all(): RegisteredHandler[] {
    return [...this.byType.values()];
  }

  get(type: string): RegisteredHandler | undefined {
    return this.byType.get(type);
  }

  accepts(type: string): boolean {
    return this.byType.has(type) || !this.config.jobs.rejectUnknownTypes;
  }

  defaultsFor(type: string): JobTypeDefaults | undefined {
    const handler = this.byType.get(type);
    if (handler === undefined) return undefined;
    const { options } = handler;
    return {
      queue: handler.queue,
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    };
  }

  validatePayload(type: string, payload: Record<string, unknown>): PayloadFieldError[] {
    const schema = this.byType.get(type)?.options.payload;
    if (schema === undefined) return [];
    return fieldErrors(validateSync(this.toInstance(schema, payload), VALIDATION));
  }

  /** The payload as the handler receives it: an instance of its DTO when it declares one. */
  payloadFor(handler: RegisteredHandler, payload: unknown): object {
    const schema = handler.options.payload;
    return schema === undefined ? (payload as object) : this.toInstance(schema, payload);
  }

  private toInstance(schema: new () => object, payload: unknown): object {
    return plainToInstance(schema, payload);
  }
}

const VALIDATION = {
  whitelist: true,
  forbidNonWhitelisted: true,
  validationError: { target: false, value: false },
};
