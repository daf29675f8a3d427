import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('gives documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dbPoolSize).toBe(10);
    expect(config.dbPreparedStatements).toBe(true);
    expect(config.jobs.dedupeWindowSeconds).toBe(86400);
    expect(config.jobs.submitConcurrency).toBe(5);
    expect(config.bodyLimitBytes).toBe(1048576);
  });

  it('names the variable when a value is not a number', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(
      new ConfigError('PORT', 'expected an integer, got "eighty"'),
    );
  });

  it('rejects values out of range', () => {
    expect(() => loadConfig({ CONVEYOR_DB_POOL_SIZE: '1' })).toThrow(
      /CONVEYOR_DB_POOL_SIZE: must be between 2/,
    );
  });

  it('never echoes a malformed DATABASE_URL, which may hold a password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres//user:hunter2@db' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') as unknown }) as Error,
    );
    expect(() => loadConfig({ DATABASE_URL: 'mysql://db/x' })).toThrow(/must start with postgres/);
  });

  it('reads booleans in the usual spellings', () => {
    expect(loadConfig({ CONVEYOR_MIGRATIONS_RUN: 'off' }).migrationsRun).toBe(false);
    expect(() => loadConfig({ CONVEYOR_MIGRATIONS_RUN: 'maybe' })).toThrow(/CONVEYOR_MIGRATIONS_RUN/);
  });
});
