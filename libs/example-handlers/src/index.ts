export { ExampleHandlersModule } from './example-handlers.module.js';
export { SIGNATURE_HEADER, signWebhook, WebhookPayload } from './webhook.handler.js';
export { SleepPayload } from './sleep.handler.js';
