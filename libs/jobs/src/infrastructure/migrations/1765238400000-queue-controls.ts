import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Queue controls (docs/queues.md): a queue, or one type in it, can be paused in a namespace. Claims
 * read this table in the same statement that takes jobs (sql/claim.sql.ts), so a pause holds on
 * every replica from its commit on. The row of the whole queue has type ''.
 */
export class QueueControls1765238400000 implements MigrationInterface {
  name = 'QueueControls1765238400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE queue_controls (
        namespace varchar(255) NOT NULL,
        queue varchar(255) NOT NULL,
        type varchar(255) NOT NULL DEFAULT '',
        paused boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (namespace, queue, type)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE queue_controls');
  }
}
