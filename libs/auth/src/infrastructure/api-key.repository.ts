import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import { Sql } from '#conveyor/database';
import type {
  ApiKeyStore,
  ApiKeyView,
  AuthenticatedKey,
  BootstrapState,
  NewApiKeyRow,
} from '../application/ports/api-key-store.js';
import type { Scope } from '../domain/scopes.js';
import {
  ANY_KEY,
  AUTHENTICATE,
  INSERT_KEY,
  IS_FUTURE,
  KEY_BY_HASH,
  LIST_KEYS,
  LOCK_BOOTSTRAP,
  REVOKE_KEY,
} from './api-keys.sql.js';

interface KeyRow {
  id: string;
  name: string;
  namespace: string;
  scopes: Scope[];
  key_prefix: string;
  submit_per_second: number | null;
  read_per_second: number | null;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
}

function toView(row: KeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    namespace: row.namespace,
    scopes: row.scopes,
    keyPrefix: row.key_prefix,
    submitPerSecond: row.submit_per_second,
    readPerSecond: row.read_per_second,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

/** Anything that runs a query: the pool, or one client inside a transaction. */
type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

async function insert(db: Queryable, key: NewApiKeyRow): Promise<ApiKeyView> {
  const { rows } = await db.query<KeyRow>(INSERT_KEY, [
    key.name,
    key.namespace,
    key.scopes,
    key.keyHash,
    key.keyPrefix,
    key.submitPerSecond,
    key.readPerSecond,
    key.expiresAt,
  ]);
  const [row] = rows;
  if (row === undefined) throw new Error('INSERT ... RETURNING gave no row');
  return toView(row);
}

/** The PostgreSQL adapter of ApiKeyStore (api-keys.sql.ts holds its statements). */
@Injectable()
export class ApiKeyRepository implements ApiKeyStore {
  constructor(private readonly sql: Sql) {}

  async authenticate(keyHash: string): Promise<AuthenticatedKey | null> {
    const [row] = await this.sql.rows<{
      id: string;
      name: string;
      namespace: string;
      scopes: Scope[];
      submit_per_second: number | null;
      read_per_second: number | null;
      expires_at: Date | null;
      expired: boolean;
      expires_in: number | null;
    }>(AUTHENTICATE, [keyHash]);
    if (row === undefined) return null;
    return {
      id: row.id,
      name: row.name,
      namespace: row.namespace,
      scopes: row.scopes,
      submitPerSecond: row.submit_per_second,
      readPerSecond: row.read_per_second,
      expired: row.expired,
      expiresAt: row.expires_at,
      expiresIn: row.expires_in,
    };
  }

  async isFuture(at: Date): Promise<boolean> {
    const [row] = await this.sql.rows<{ future: boolean }>(IS_FUTURE, [at]);
    return row?.future === true;
  }

  insert(key: NewApiKeyRow): Promise<ApiKeyView> {
    return insert(this.sql.pool, key);
  }

  async list(namespace: string | null): Promise<ApiKeyView[]> {
    return (await this.sql.rows<KeyRow>(LIST_KEYS, [namespace])).map(toView);
  }

  /** The key after revocation, or null when no key has that id. */
  async revoke(id: string): Promise<ApiKeyView | null> {
    const [row] = await this.sql.rows<KeyRow>(REVOKE_KEY, [id]);
    return row === undefined ? null : toView(row);
  }

  /**
   * Runs `decide` while holding the bootstrap lock, so replicas booting together agree on whether
   * a first admin key is needed. `decide` gets the key state and may insert one key; the insert
   * commits only if `decide` returns normally (a key that could not be handed over is not kept).
   */
  async underBootstrapLock<T>(decide: (state: BootstrapState) => Promise<T>): Promise<T> {
    const client = await this.sql.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(LOCK_BOOTSTRAP);
      const { rows } = await client.query<{ any: boolean }>(ANY_KEY);
      const result = await decide({
        anyKey: rows[0]?.any === true,
        byHash: async (hash) => {
          const found = await client.query<KeyRow>(KEY_BY_HASH, [hash]);
          return found.rows[0] === undefined ? null : toView(found.rows[0]);
        },
        insert: (key) => insert(client, key),
      });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
