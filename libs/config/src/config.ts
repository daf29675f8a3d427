/**
 * Conveyor's whole configuration, read once from the environment at boot.
 * Every variable is documented in docs/configuration.md; a bad value stops the boot with its name.
 */
export interface ConveyorConfig {
  readonly port: number;
  /** Unset: start an embedded PostgreSQL under `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** 0 picks a free port at every start. */
  readonly embeddedPostgresPort: number;
  readonly dbPoolSize: number;
  readonly migrationsRun: boolean;
  readonly bodyLimitBytes: number;
  readonly jobs: {
    readonly dedupeWindowSeconds: number;
    readonly defaultMaxAttempts: number;
    readonly defaultLeaseSeconds: number;
    readonly maxLeaseSeconds: number;
    /** Largest number of concurrent submits written by one INSERT (group commit). */
    readonly submitBatchSize: number;
    /** Group-commit INSERTs allowed in flight at once; keep it below the pool size. */
    readonly submitConcurrency: number;
  };
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

function databaseUrl(env: Env): string | undefined {
  const raw = env['DATABASE_URL']?.trim();
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Never echo the value: it usually carries a password.
    throw new ConfigError('DATABASE_URL', 'is not a valid URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL', 'must start with postgres:// or postgresql://');
  }
  return raw;
}

export function loadConfig(env: Env = process.env): ConveyorConfig {
  const dbPoolSize = integer(env, 'CONVEYOR_DB_POOL_SIZE', 10, 2, 1000);
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    databaseUrl: databaseUrl(env),
    dataDir: env['CONVEYOR_DATA_DIR']?.trim() || '.data',
    embeddedPostgresPort: integer(env, 'CONVEYOR_EMBEDDED_PG_PORT', 0, 0, 65535),
    dbPoolSize,
    migrationsRun: boolean(env, 'CONVEYOR_MIGRATIONS_RUN', true),
    bodyLimitBytes: integer(env, 'CONVEYOR_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
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
    },
  };
}
