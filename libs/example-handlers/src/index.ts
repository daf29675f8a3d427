export { ExampleHandlersModule } from './example-handlers.module.js';
export { SleepPayload } from './sleep.handler.js';
