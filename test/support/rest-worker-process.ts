/**
 * A REST worker in a process of its own (libs/client), for the test that kills one mid-job: it
 * claims `client.hold` jobs from CONVEYOR_URL and holds each until killed. Prints "ready" once
 * it claims, and "started <job id>" as each job starts.
 */
import { ConveyorClient, RestWorker } from '#conveyor/client';

const { CONVEYOR_URL, CONVEYOR_KEY } = process.env;
if (CONVEYOR_URL === undefined || CONVEYOR_KEY === undefined)
  throw new Error('CONVEYOR_URL and CONVEYOR_KEY are required');

const worker = new RestWorker(new ConveyorClient({ baseUrl: CONVEYOR_URL, apiKey: CONVEYOR_KEY }), {
  queue: 'client',
  leaseSeconds: 2,
  pollIntervalMs: 50,
  handlers: {
    'client.hold': async (_payload: unknown, { job, signal }) => {
      process.stdout.write(`started ${job.id}\n`);
      await new Promise((resolve) => {
        signal.addEventListener('abort', resolve);
      });
    },
  },
}).start();
process.once('SIGTERM', () => {
  void worker.stop().then(() => process.exit(0));
});
process.stdout.write('ready\n');
