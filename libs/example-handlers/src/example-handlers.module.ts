import { Module } from '@nestjs/common';
import { NoopHandler } from './noop.handler.js';
import { SleepHandler } from './sleep.handler.js';
import { WebhookHandler } from './webhook.handler.js';

/** The shipped handlers (noop, sleep, webhook); the app leaves them out when CONVEYOR_EXAMPLE_HANDLERS=false. */
@Module({ providers: [NoopHandler, SleepHandler, WebhookHandler] })
export class ExampleHandlersModule {}
