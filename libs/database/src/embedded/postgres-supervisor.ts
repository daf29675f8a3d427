/**
 * Child-process entry that owns an embedded PostgreSQL server.
 *
 * Why a separate process: it runs in its own process group (the parent forks it detached), so a
 * Ctrl+C in the terminal or a SIGTERM reaches only the service, which drains requests that need the
 * database and stops PostgreSQL last, by sending `stop`. If the service dies without saying so
 * (kill -9), the IPC channel closes and we stop the server anyway. If PostgreSQL dies without being
 * asked (the OOM killer, a kill -9), we start it again: crash recovery replays its log, and the
 * service's pool reconnects by itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runningPostmaster } from './postmaster.js';
import { PostgresServer } from './postgres-server.js';
import type { SupervisorMessage, SupervisorOptions } from './supervisor-protocol.js';

const options = JSON.parse(process.argv[2] ?? '{}') as SupervisorOptions;
const recentLog: string[] = [];
const remember = (message: unknown): void => {
  recentLog.push(String(message));
  if (recentLog.length > 40) recentLog.shift();
};

const server = new PostgresServer({
  installation: options.installation,
  dataDir: options.dataDir,
  port: options.port,
  password: readFileSync(options.passwordFile, 'utf8').trim(),
  runAs: options.runAs,
  initdbFlags: ['--encoding=UTF8'],
  postgresFlags: [
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `max_connections=${options.maxConnections}`,
    ...Object.entries(options.settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
  ],
  persistent: options.persistent,
  onLog: remember,
});

const send = (message: SupervisorMessage): void => {
  process.send?.(message);
};

/** How often we look whether PostgreSQL still runs. */
const WATCH_INTERVAL_MS = 500;

let stopping: Promise<void> | undefined;
let watch: NodeJS.Timeout | undefined;
function stop(): Promise<void> {
  clearInterval(watch);
  stopping ??= server
    .stop()
    .catch(remember)
    .finally(() => process.exit(0));
  return stopping;
}

let reviving = false;
/**
 * PostgreSQL is gone but nobody asked it to stop: start it again. The first tries can fail while
 * the dead server's backends are still on their way out; the next tick tries again.
 */
async function reviveIfGone(): Promise<void> {
  if (stopping !== undefined || reviving || runningPostmaster(options.dataDir) !== undefined) return;
  reviving = true;
  try {
    await server.start();
    send({ type: 'log', message: 'embedded PostgreSQL stopped unexpectedly and was started again' });
  } catch (error) {
    remember(error);
  } finally {
    reviving = false;
  }
}

process.on('message', (message: { type?: string }) => {
  if (message.type === 'stop') void stop();
});
process.on('disconnect', () => void stop());

try {
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  send({ type: 'ready' });
  watch = setInterval(() => void reviveIfGone(), WATCH_INTERVAL_MS);
} catch (error) {
  send({
    type: 'failed',
    reason: `${error instanceof Error ? error.message : String(error)}\n${recentLog.join('')}`.trim(),
  });
  await stop();
}
