// A real Conveyor process for the benchmarks: the production entry point (dist/.../main.js), as
// `npm start` runs it (heap cap included), on a database of its own. Its logs go to /dev/null at
// the default level.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from '#conveyor/database';

// This file runs compiled, as dist/bench/lib/service.js: the entry point is dist/apps/....
const MAIN = fileURLToPath(new URL('../../apps/conveyor/src/main.js', import.meta.url));
/** The production app plus the bench handlers (instance.ts), for the workloads that need them. */
const INSTANCE = fileURLToPath(new URL('./instance.js', import.meta.url));
export const ADMIN_KEY = `cvk_bench-admin-${Date.now()}-0123456789abcdef`;

export interface Service {
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  /** The bench key; null for a worker-only instance, which serves no API. */
  readonly key: string | null;
  readonly pid: number | undefined;
  /**
   * Resident memory of the service process, from /proc (Linux); null when its status has no VmRSS
   * line (a process that has exited, for one).
   */
  rssMiB(): number | null;
  stop(): Promise<void>;
}

interface Exited {
  done: boolean;
  code: number | null;
}

async function waitUntilReady(base: string, exited: Exited, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited.done) throw new Error(`the service exited during boot (code ${String(exited.code)})`);
    try {
      if ((await fetch(`${base}/health/ready`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the service did not become ready within 60 s');
}

/** The benchmark's API key: unlimited rates, every job scope, namespace `default`. */
async function createBenchKey(base: string): Promise<string> {
  const created = await fetch(`${base}/v1/admin/api-keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
    body: JSON.stringify({
      name: 'bench',
      namespace: 'default',
      scopes: ['jobs:submit', 'jobs:read', 'jobs:work', 'queues:manage'],
      submitPerSecond: 0,
      readPerSecond: 0,
    }),
  });
  if (created.status !== 201) throw new Error(`creating the bench key answered ${created.status}`);
  return ((await created.json()) as { key: string }).key;
}

export interface ServiceOptions {
  /**
   * Run the bench instance (the app plus the bench handlers) instead of the production entry
   * point, and hand each line it prints on stdout to `onLine`.
   */
  benchHandlers?: { onLine: (line: string) => void };
}

/**
 * Starts the service on `url` and answers once it is ready. `env` adds or overrides settings
 * (CONVEYOR_ROLE, CONVEYOR_DB_POOL_SIZE, ...).
 */
export async function startService(
  url: string,
  env: Record<string, string> = {},
  { benchHandlers }: ServiceOptions = {},
): Promise<Service> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      '--enable-source-maps',
      '--max-old-space-size=256',
      '--max-semi-space-size=32',
      benchHandlers === undefined ? MAIN : INSTANCE,
    ],
    {
      env: {
        PATH: process.env['PATH'],
        HOME: process.env['HOME'],
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        DATABASE_URL: url,
        PORT: String(port),
        CONVEYOR_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
        // A free port each: the benchmark runs several services at once.
        CONVEYOR_METRICS_PORT: '0',
        ...env,
      },
      stdio: ['ignore', benchHandlers === undefined ? 'ignore' : 'pipe', 'pipe'],
    },
  );
  if (benchHandlers !== undefined && child.stdout !== null) {
    createInterface({ input: child.stdout }).on('line', benchHandlers.onLine);
  }
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited: Exited = { done: false, code: null };
  const exit = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exited.done = true;
      exited.code = code;
      resolve(code);
    });
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(base, exited);
  } catch (error) {
    child.kill('SIGKILL');
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n${stderr}`, { cause: error });
  }
  // A worker-only instance serves no API, and needs no key.
  const key = env['CONVEYOR_ROLE'] === 'worker' ? null : await createBenchKey(base);
  return {
    base,
    key,
    pid: child.pid,
    rssMiB() {
      const line = readFileSync(`/proc/${String(child.pid)}/status`, 'utf8')
        .split('\n')
        .find((entry) => entry.startsWith('VmRSS:'));
      return line === undefined ? null : Number(line.replace(/\D+/g, '')) / 1024;
    },
    async stop() {
      if (exited.done) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exit;
      clearTimeout(timer);
    },
  };
}
