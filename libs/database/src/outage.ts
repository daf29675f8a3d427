import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Sql } from './sql.js';

/**
 * SQLSTATEs and socket errors that mean "the database cannot be reached or is not taking work
 * right now", not "this statement is wrong": class 08 (connection exception), 57P01–57P03 (shut
 * down, crashed, starting up), 53300 (too many connections), and the socket errors of a server
 * that is gone or unreachable.
 */
const UNAVAILABLE_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** What node-postgres and its pool say when a connection dies or cannot be had in time. */
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|connection error and is not queryable|Client was closed and is not queryable|Connection is closed/;

/** Whether `error` (or what it wraps, as TypeORM's QueryFailedError does) is the database being unavailable. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current = error; typeof current === 'object' && current !== null && !seen.has(current);) {
    seen.add(current);
    const { code, message, cause, driverError } = current as {
      code?: unknown;
      message?: unknown;
      cause?: unknown;
      driverError?: unknown;
    };
    if (typeof code === 'string' && (code.startsWith('08') || UNAVAILABLE_CODES.has(code))) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true;
    current = driverError ?? cause;
  }
  return false;
}

/** How often an instance looks whether the database is back, while requests are refused. */
const PROBE_INTERVAL_MS = 1000;

/**
 * Requests refused because the database is unavailable are answered 503 with Retry-After (see the
 * http library's filter), and logged here as one outage: a line when it starts, a line with the
 * count when a probe finds the database back. Not one stack per request: an outage under load
 * made thousands. Background tasks (claim loops, the reaper, the stats compactor, LISTEN) that fail
 * for the same reason are counted with it, not logged a line per run.
 */
@Injectable()
export class DatabaseOutage implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private startedAt: number | null = null;
  private refusals = 0;
  private backgroundFailures = 0;
  private probe: NodeJS.Timeout | undefined;
  private probing = false;

  constructor(private readonly sql: Sql) {}

  /** Seconds a client should wait before it tries again. */
  readonly retryAfterSeconds = 2;

  get ongoing(): boolean {
    return this.startedAt !== null;
  }

  /** A request was answered 503 because of `error`, which isDatabaseUnavailable accepted. */
  refused(error: unknown): void {
    this.refusals += 1;
    this.begin(error);
  }

  /**
   * A background task failed with `error`. If the database is unavailable, that is part of the
   * outage: counted, and said in its two lines. Otherwise `log` says what failed.
   */
  backgroundFailed(error: unknown, log: () => void): void {
    if (!isDatabaseUnavailable(error)) {
      log();
      return;
    }
    this.backgroundFailures += 1;
    this.begin(error);
  }

  private begin(error: unknown): void {
    if (this.startedAt !== null) return;
    this.startedAt = Date.now();
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.warn(`database unavailable (${reason}): requests are answered 503 until it is back`);
    this.probe = setInterval(() => void this.check(), PROBE_INTERVAL_MS);
    this.probe.unref();
  }

  private async check(): Promise<void> {
    if (this.probing || this.startedAt === null) return;
    this.probing = true;
    try {
      await this.sql.rows('SELECT 1');
    } catch {
      return;
    } finally {
      this.probing = false;
    }
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(1);
    this.logger.log(
      `database available again after ${seconds} s; ${this.refusals} request(s) were answered 503 ` +
        `and ${this.backgroundFailures} background run(s) failed meanwhile`,
    );
    this.end();
  }

  private end(): void {
    clearInterval(this.probe);
    this.probe = undefined;
    this.startedAt = null;
    this.refusals = 0;
    this.backgroundFailures = 0;
  }

  onApplicationShutdown(): void {
    this.end();
  }
}
