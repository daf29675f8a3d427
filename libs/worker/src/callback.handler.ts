import { Inject } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '#conveyor/config';
import { CALLBACK_JOB } from '#conveyor/jobs';
import type { JobContext } from './job-context.js';
import { JobHandler, type JobHandlerInstance } from './job-handler.decorator.js';
import { deliverWebhook, WebhookPayload } from './webhook.js';

/**
 * Delivers completion callbacks (docs/queues.md): each is a job of its own, enqueued by the database
 * in the transaction that finished the job it reports on, so it survives crashes, retries with
 * backoff and ends in the dead-letter queue of the `conveyor` namespace if the receiver stays down.
 */
@JobHandler(CALLBACK_JOB.type, {
  namespace: CALLBACK_JOB.namespace,
  queue: CALLBACK_JOB.queue,
  payload: WebhookPayload,
  concurrency: 20,
})
export class CallbackHandler implements JobHandlerInstance<WebhookPayload> {
  constructor(@Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig) {}

  handle(payload: WebhookPayload, context: JobContext): Promise<{ status: number }> {
    return deliverWebhook(this.config, payload, context);
  }
}
