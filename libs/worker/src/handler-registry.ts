import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { isNamespace, NAMESPACE_RULE } from '#conveyor/auth';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '#conveyor/config';
import { fieldErrors } from '#conveyor/http';
import {
  DEFAULT_NAMESPACE,
  type JobTypeDefaults,
  type JobTypeRules,
  type PayloadFieldError,
} from '#conveyor/jobs';
import {
  JOB_HANDLER_METADATA,
  type JobHandlerInstance,
  type JobHandlerMetadata,
  type JobHandlerOptions,
} from './job-handler.decorator.js';

export interface RegisteredHandler {
  /** `namespace/type`: unique, names the handler in logs and maps. */
  key: string;
  namespace: string;
  type: string;
  options: JobHandlerOptions;
  instance: JobHandlerInstance;
  queue: string;
  concurrency: number;
  timeoutMs: number;
}

function handlerKey(namespace: string, type: string): string {
  return `${namespace}/${type}`;
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
  private readonly byKey = new Map<string, RegisteredHandler>();

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
      const namespace = options.namespace ?? DEFAULT_NAMESPACE;
      if (!isNamespace(namespace)) {
        throw new HandlerRegistrationError(
          `handler of "${type}": namespace "${namespace}" must be ${NAMESPACE_RULE}`,
        );
      }
      const key = handlerKey(namespace, type);
      const name = (metatype as { name: string }).name;
      const previous = owners.get(key);
      if (previous !== undefined) {
        throw new HandlerRegistrationError(
          `job type "${type}" in namespace "${namespace}" has two handlers, ${previous} and ${name}: a type has exactly one`,
        );
      }
      const instance = wrapper.instance as JobHandlerInstance | undefined;
      if (instance === undefined || typeof instance.handle !== 'function') {
        throw new HandlerRegistrationError(
          `${name} is marked @JobHandler("${type}") but has no handle() method`,
        );
      }
      owners.set(key, name);
      this.byKey.set(key, {
        key,
        namespace,
        type,
        options,
        instance,
        queue: options.queue ?? 'default',
        concurrency: options.concurrency ?? this.config.worker.handlerConcurrency,
        timeoutMs: options.timeoutMs ?? this.config.worker.handlerTimeoutMs,
      });
    }
    if (this.byKey.size > 0) this.logger.log(`handlers: ${[...this.byKey.keys()].sort().join(', ')}`);
  }

  all(): RegisteredHandler[] {
    return [...this.byKey.values()];
  }

  accepts(namespace: string, type: string): boolean {
    return this.byKey.has(handlerKey(namespace, type)) || !this.config.jobs.rejectUnknownTypes;
  }

  defaultsFor(namespace: string, type: string): JobTypeDefaults | undefined {
    const handler = this.byKey.get(handlerKey(namespace, type));
    if (handler === undefined) return undefined;
    const { options } = handler;
    return {
      queue: handler.queue,
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    };
  }

  validatePayload(namespace: string, type: string, payload: Record<string, unknown>): PayloadFieldError[] {
    const schema = this.byKey.get(handlerKey(namespace, type))?.options.payload;
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
