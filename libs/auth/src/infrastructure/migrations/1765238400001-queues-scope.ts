import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A key may hold `queues:manage`: pause and resume the queues of its namespace. */
export class QueuesScope1765238400001 implements MigrationInterface {
  name = 'QueuesScope1765238400001';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE api_keys DROP CONSTRAINT api_keys_scopes_check');
    await db.query(`ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_check CHECK (cardinality("scopes") > 0
      AND "scopes" <@ ARRAY['jobs:submit', 'jobs:read', 'jobs:work', 'queues:manage', 'metrics:read', 'admin']::text[])`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE api_keys DROP CONSTRAINT api_keys_scopes_check');
    await db.query(`ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_check CHECK (cardinality("scopes") > 0
      AND "scopes" <@ ARRAY['jobs:submit', 'jobs:read', 'jobs:work', 'metrics:read', 'admin']::text[])`);
  }
}
