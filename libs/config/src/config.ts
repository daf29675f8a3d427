/**
 * Conveyor's whole configuration, read once from the environment at boot.
 * Every variable is documented in docs/configuration.md; a bad value stops the boot with its name.
 */
export interface ConveyorConfig {
  readonly port: number;
  /** Unset: start an embedded PostgreSQL under `dataDir`. */
  readonly databaseUrl: string | undefined;
  /** Where migrations run (the schema's owner); unset: as `databaseUrl`'s role. */
  readonly migrationDatabaseUrl: string | undefined;
  readonly dataDir: string;
  /** 0 picks a free port at every start. */
  readonly embeddedPostgresPort: number;
  readonly dbPoolSize: number;
  /**
   * Send the hot statements (submit, claim, settle) as named prepared statements. Off behind a
   * transaction pooler that cannot carry them between server connections (PgBouncer before 1.21).
   */
  readonly dbPreparedStatements: boolean;
  readonly migrationsRun: boolean;
  readonly bodyLimitBytes: number;
  readonly http: {
    /** Origins allowed to call the API from a browser; empty turns CORS off. `*` allows any. */
    readonly corsOrigins: readonly string[];
    /** A request whose headers and body have not all arrived by then is answered 408 and closed. */
    readonly requestTimeoutMs: number;
    /** The same for the headers alone (slowloris). */
    readonly headersTimeoutMs: number;
  };
  readonly auth: {
    /** An API key made sure to exist, with the `admin` scope, at boot (automation and tests). */
    readonly bootstrapAdminKey: string | undefined;
    /** How long an instance trusts what it read about a key: revocation reaches every instance within this. */
    readonly cacheSeconds: number;
    /** `/metrics` needs a key with the `metrics:read` (or `admin`) scope. */
    readonly protectMetrics: boolean;
  };
  readonly limits: {
    /** Default token-bucket rates per API key, per second (the bucket holds one second's worth); 0 is unlimited. */
    readonly submitPerSecond: number;
    readonly readPerSecond: number;
    /** Jobs waiting to run (`pending` or `failed`) a namespace may hold; 0 is no cap. */
    readonly maxPendingPerNamespace: number;
  };
  readonly log: {
    readonly level: LogLevel;
    /** Payload field names whose values are replaced by "[redacted]" wherever a payload is logged. */
    readonly secretPayloadFields: readonly string[];
  };
  readonly jobs: {
    readonly dedupeWindowSeconds: number;
    readonly defaultMaxAttempts: number;
    readonly defaultLeaseSeconds: number;
    readonly maxLeaseSeconds: number;
    /** Largest number of concurrent submits written by one INSERT (group commit). */
    readonly submitBatchSize: number;
    /** Group-commit INSERTs allowed in flight at once; keep it below the pool size. */
    readonly submitConcurrency: number;
    /** Refuse submits of types that have no in-process handler (instead of leaving them to REST workers). */
    readonly rejectUnknownTypes: boolean;
    /** Long polls (GET /v1/jobs/{id}?wait=…) one instance holds at once; more are answered 429. */
    readonly maxWaiters: number;
  };
  readonly worker: {
    /** `api` serves the REST API only, `worker` runs handlers only (plus health), `all` both. */
    readonly role: ConveyorRole;
    readonly listen: boolean;
    readonly pollIntervalMs: number;
    readonly shutdownGraceMs: number;
    readonly handlerConcurrency: number;
    readonly handlerTimeoutMs: number;
    readonly reaperIntervalMs: number;
    readonly exampleHandlers: boolean;
  };
  readonly health: {
    /** Liveness fails when the event loop stalled longer than this since the previous check. */
    readonly maxEventLoopDelayMs: number;
    readonly databaseTimeoutMs: number;
    /** Readiness fails when more requests than this wait for a pool connection. */
    readonly maxPoolWaiting: number;
  };
  readonly metrics: {
    /** Distinct (queue, type) label pairs per metric before the rest is counted as `_other`. */
    readonly maxSeries: number;
    /** The port `/metrics` is served on, apart from the API; 0 picks a free one, null serves none. */
    readonly port: number | null;
  };
  readonly retention: {
    readonly intervalMs: number;
    readonly finishedSeconds: number;
    readonly deadLetterSeconds: number;
  };
  readonly webhook: {
    readonly allowedHosts: readonly string[];
    /** HMAC key for the Conveyor-Signature header; unset sends no signature. */
    readonly secret: string | undefined;
    readonly timeoutMs: number;
  };
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function logLevel(env: Env): LogLevel {
  const raw = env['LOG_LEVEL']?.trim().toLowerCase() || 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  }
  return raw as LogLevel;
}

export const CONVEYOR_ROLES = ['all', 'api', 'worker'] as const;
export type ConveyorRole = (typeof CONVEYOR_ROLES)[number];

function role(env: Env): ConveyorRole {
  const raw = env['CONVEYOR_ROLE']?.trim() || 'all';
  if (!(CONVEYOR_ROLES as readonly string[]).includes(raw)) {
    throw new ConfigError('CONVEYOR_ROLE', `must be one of ${CONVEYOR_ROLES.join(', ')}, got "${raw}"`);
  }
  return raw as ConveyorRole;
}

function list(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '');
}

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(name, `expected an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max)
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
}

/** Long enough to be a random secret; the value itself is never echoed. */
const MIN_BOOTSTRAP_KEY_LENGTH = 32;

function bootstrapAdminKey(env: Env): string | undefined {
  const raw = env['CONVEYOR_BOOTSTRAP_ADMIN_KEY']?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < MIN_BOOTSTRAP_KEY_LENGTH || raw.length > 256 || !/^[\x21-\x7e]+$/.test(raw)) {
    throw new ConfigError(
      'CONVEYOR_BOOTSTRAP_ADMIN_KEY',
      `must be ${MIN_BOOTSTRAP_KEY_LENGTH} to 256 printable characters without spaces (use a random value)`,
    );
  }
  return raw;
}

function corsOrigins(env: Env): string[] {
  const origins = (env['CONVEYOR_CORS_ORIGINS'] ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of origins) {
    if (origin === '*') continue;
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (url === undefined || url.origin !== origin) {
      throw new ConfigError(
        'CONVEYOR_CORS_ORIGINS',
        `"${origin}" is not an origin like https://app.example.com`,
      );
    }
  }
  return origins;
}

/** A port, or `off` for none. */
function optionalPort(env: Env, name: string, fallback: number): number | null {
  if (env[name]?.trim().toLowerCase() === 'off') return null;
  return integer(env, name, fallback, 0, 65535);
}

function timeouts(env: Env): { requestTimeoutMs: number; headersTimeoutMs: number } {
  const requestTimeoutMs = integer(env, 'CONVEYOR_REQUEST_TIMEOUT_MS', 30_000, 1000, 3_600_000);
  const headersTimeoutMs = integer(env, 'CONVEYOR_HEADERS_TIMEOUT_MS', 10_000, 1000, 3_600_000);
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError('CONVEYOR_HEADERS_TIMEOUT_MS', 'must not be above CONVEYOR_REQUEST_TIMEOUT_MS');
  }
  return { requestTimeoutMs, headersTimeoutMs };
}

function databaseUrl(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Never echo the value: it usually carries a password.
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(name, 'must start with postgres:// or postgresql://');
  }
  return raw;
}

export function loadConfig(env: Env = process.env): ConveyorConfig {
  const dbPoolSize = integer(env, 'CONVEYOR_DB_POOL_SIZE', 10, 2, 1000);
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    databaseUrl: databaseUrl(env, 'DATABASE_URL'),
    migrationDatabaseUrl: databaseUrl(env, 'CONVEYOR_MIGRATION_DATABASE_URL'),
    dataDir: env['CONVEYOR_DATA_DIR']?.trim() || '.data',
    embeddedPostgresPort: integer(env, 'CONVEYOR_EMBEDDED_PG_PORT', 0, 0, 65535),
    dbPoolSize,
    dbPreparedStatements: boolean(env, 'CONVEYOR_DB_PREPARED_STATEMENTS', true),
    migrationsRun: boolean(env, 'CONVEYOR_MIGRATIONS_RUN', true),
    bodyLimitBytes: integer(env, 'CONVEYOR_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    http: { corsOrigins: corsOrigins(env), ...timeouts(env) },
    auth: {
      bootstrapAdminKey: bootstrapAdminKey(env),
      cacheSeconds: integer(env, 'CONVEYOR_AUTH_CACHE_SECONDS', 5, 0, 300),
      protectMetrics: boolean(env, 'CONVEYOR_METRICS_AUTH', false),
    },
    limits: {
      submitPerSecond: integer(env, 'CONVEYOR_RATE_LIMIT_SUBMIT', 1000, 0, 1_000_000),
      readPerSecond: integer(env, 'CONVEYOR_RATE_LIMIT_READ', 200, 0, 1_000_000),
      maxPendingPerNamespace: integer(env, 'CONVEYOR_MAX_PENDING_PER_NAMESPACE', 0, 0, 1_000_000_000),
    },
    log: {
      level: logLevel(env),
      secretPayloadFields: (env['CONVEYOR_SECRET_PAYLOAD_FIELDS'] ?? '')
        .split(',')
        .map((field) => field.trim())
        .filter((field) => /^[A-Za-z0-9_$-]+$/.test(field)),
    },
    jobs: {
      dedupeWindowSeconds: integer(
        env,
        'CONVEYOR_DEDUPE_WINDOW_SECONDS',
        24 * 60 * 60,
        1,
        365 * 24 * 60 * 60,
      ),
      defaultMaxAttempts: integer(env, 'CONVEYOR_DEFAULT_MAX_ATTEMPTS', 5, 1, 100),
      defaultLeaseSeconds: integer(env, 'CONVEYOR_LEASE_SECONDS', 30, 1, 3600),
      maxLeaseSeconds: integer(env, 'CONVEYOR_MAX_LEASE_SECONDS', 3600, 1, 24 * 60 * 60),
      submitBatchSize: integer(env, 'CONVEYOR_SUBMIT_BATCH_SIZE', 500, 1, 5000),
      submitConcurrency: integer(
        env,
        'CONVEYOR_SUBMIT_CONCURRENCY',
        Math.max(1, Math.floor(dbPoolSize / 2)),
        1,
        1000,
      ),
      rejectUnknownTypes: boolean(env, 'CONVEYOR_REJECT_UNKNOWN_TYPES', false),
      maxWaiters: integer(env, 'CONVEYOR_MAX_WAITERS', 1000, 0, 100_000),
    },
    worker: {
      role: role(env),
      listen: boolean(env, 'CONVEYOR_LISTEN', true),
      pollIntervalMs: integer(env, 'CONVEYOR_POLL_INTERVAL_MS', 1000, 10, 60_000),
      shutdownGraceMs: integer(env, 'CONVEYOR_SHUTDOWN_GRACE_MS', 25_000, 0, 3_600_000),
      handlerConcurrency: integer(env, 'CONVEYOR_HANDLER_CONCURRENCY', 10, 1, 1000),
      handlerTimeoutMs: integer(env, 'CONVEYOR_HANDLER_TIMEOUT_MS', 300_000, 10, 86_400_000),
      reaperIntervalMs: integer(env, 'CONVEYOR_REAPER_INTERVAL_MS', 5000, 100, 600_000),
      exampleHandlers: boolean(env, 'CONVEYOR_EXAMPLE_HANDLERS', true),
    },
    health: {
      maxEventLoopDelayMs: integer(env, 'CONVEYOR_LIVENESS_MAX_EVENT_LOOP_DELAY_MS', 5000, 10, 600_000),
      databaseTimeoutMs: integer(env, 'CONVEYOR_READINESS_DB_TIMEOUT_MS', 1000, 10, 60_000),
      maxPoolWaiting: integer(env, 'CONVEYOR_READINESS_MAX_POOL_WAITING', 4 * dbPoolSize, 0, 100_000),
    },
    metrics: {
      maxSeries: integer(env, 'CONVEYOR_METRICS_MAX_SERIES', 500, 1, 100_000),
      port: optionalPort(env, 'CONVEYOR_METRICS_PORT', 9464),
    },
    retention: {
      intervalMs: integer(env, 'CONVEYOR_RETENTION_INTERVAL_MS', 60_000, 100, 86_400_000),
      finishedSeconds: integer(env, 'CONVEYOR_RETENTION_FINISHED_SECONDS', 7 * 86_400, 1, 3650 * 86_400),
      deadLetterSeconds: integer(
        env,
        'CONVEYOR_RETENTION_DEAD_LETTER_SECONDS',
        30 * 86_400,
        1,
        3650 * 86_400,
      ),
    },
    webhook: {
      allowedHosts: list(env, 'CONVEYOR_WEBHOOK_ALLOWED_HOSTS'),
      secret: env['CONVEYOR_WEBHOOK_SECRET'] || undefined,
      timeoutMs: integer(env, 'CONVEYOR_WEBHOOK_TIMEOUT_MS', 10_000, 10, 600_000),
    },
  };
}
