import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Scope } from '../domain/scopes.js';

/**
 * One API key. The key itself is never stored: `key_hash` is its SHA-256, looked up on every
 * request (through a short cache). Revoking sets `revoked_at`; rows are kept for the audit trail.
 */
@Entity('api_keys')
@Index('api_keys_key_hash_key', ['keyHash'], { unique: true })
@Check(
  'api_keys_scopes_check',
  `cardinality("scopes") > 0 AND "scopes" <@ ARRAY['jobs:submit', 'jobs:read', 'jobs:work', 'queues:manage', 'metrics:read', 'admin']::text[]`,
)
@Check('api_keys_rates_check', `"submit_per_second" >= 0 AND "read_per_second" >= 0`)
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('varchar', { length: 255 })
  name: string;

  @Column('varchar', { length: 63 })
  namespace: string;

  @Column('text', { array: true })
  scopes: Scope[];

  @Column('char', { name: 'key_hash', length: 64 })
  keyHash: string;

  @Column('varchar', { name: 'key_prefix', length: 16 })
  keyPrefix: string;

  @Column('integer', { name: 'submit_per_second', nullable: true })
  submitPerSecond: number | null;

  @Column('integer', { name: 'read_per_second', nullable: true })
  readPerSecond: number | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;
}
