import type { MigrationInterface, QueryRunner } from 'typeorm';

/** API keys: hashed, scoped to one namespace, expirable and revocable. */
export class CreateApiKeys1764720000000 implements MigrationInterface {
  name = 'CreateApiKeys1764720000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(255) NOT NULL,
        namespace varchar(63) NOT NULL,
        scopes text[] NOT NULL,
        key_hash char(64) NOT NULL,
        key_prefix varchar(16) NOT NULL,
        submit_per_second integer,
        read_per_second integer,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        revoked_at timestamptz,
        CONSTRAINT api_keys_scopes_check CHECK (cardinality("scopes") > 0 AND "scopes" <@ ARRAY['jobs:submit', 'jobs:read', 'jobs:work', 'metrics:read', 'admin']::text[]),
        CONSTRAINT api_keys_rates_check CHECK ("submit_per_second" >= 0 AND "read_per_second" >= 0)
      )`);
    await db.query('CREATE UNIQUE INDEX api_keys_key_hash_key ON api_keys (key_hash)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE api_keys');
  }
}
