import { Inject } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '#conveyor/config';
import {
  deliverWebhook,
  type JobContext,
  JobHandler,
  type JobHandlerInstance,
  WebhookPayload,
} from '#conveyor/worker';

/** POSTs `body` as JSON to `url` (see deliverWebhook: allowlist, signature, retries). */
@JobHandler('webhook', { payload: WebhookPayload, concurrency: 20 })
export class WebhookHandler implements JobHandlerInstance<WebhookPayload> {
  constructor(@Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig) {}

  handle(payload: WebhookPayload, context: JobContext): Promise<{ status: number }> {
    return deliverWebhook(this.config, payload, context);
  }
}
