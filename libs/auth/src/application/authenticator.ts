import { Inject, Injectable } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '#conveyor/config';
import { hashApiKey } from '../domain/api-key-secret.js';
import type { Principal } from '../domain/principal.js';
import { API_KEY_STORE, type ApiKeyStore } from './ports/api-key-store.js';

export type Authentication =
  { outcome: 'ok'; principal: Principal } | { outcome: 'unknown' } | { outcome: 'expired' };

interface CacheEntry {
  result: Authentication;
  /** performance.now() after which the entry must be read again. */
  until: number;
}

/** Bounds memory under a flood of made-up keys; the oldest entries go first. */
const MAX_CACHED = 10_000;

/**
 * Turns a bearer key into the principal behind it. Answers (unknown keys too) are cached for
 * CONVEYOR_AUTH_CACHE_SECONDS, never past the key's expiry: that bounds how long a revocation
 * takes to reach every instance, and keeps the database out of the per-request path.
 */
@Injectable()
export class Authenticator {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly ttlMs: number;

  constructor(
    @Inject(API_KEY_STORE) private readonly keys: ApiKeyStore,
    @Inject(CONVEYOR_CONFIG) config: ConveyorConfig,
  ) {
    this.ttlMs = config.auth.cacheSeconds * 1000;
  }

  async authenticate(key: string): Promise<Authentication> {
    const hash = hashApiKey(key);
    const now = performance.now();
    const cached = this.cache.get(hash);
    if (cached !== undefined && cached.until > now) return cached.result;

    const row = await this.keys.authenticate(hash);
    let result: Authentication;
    let ttlMs = this.ttlMs;
    if (row === null) result = { outcome: 'unknown' };
    else if (row.expired) result = { outcome: 'expired' };
    else {
      result = {
        outcome: 'ok',
        principal: {
          keyId: row.id,
          name: row.name,
          namespace: row.namespace,
          scopes: row.scopes,
          submitPerSecond: row.submitPerSecond,
          readPerSecond: row.readPerSecond,
          expiresAt: row.expiresAt,
        },
      };
      if (row.expiresIn !== null) ttlMs = Math.min(ttlMs, row.expiresIn * 1000);
    }
    if (ttlMs > 0) this.remember(hash, { result, until: now + ttlMs });
    return result;
  }

  /** Drops what this instance remembers about a key (after revoking it here). */
  forget(keyId: string): void {
    for (const [hash, entry] of this.cache) {
      if (entry.result.outcome === 'ok' && entry.result.principal.keyId === keyId) this.cache.delete(hash);
    }
  }

  private remember(hash: string, entry: CacheEntry): void {
    this.cache.delete(hash);
    if (this.cache.size >= MAX_CACHED) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) this.cache.delete(oldest.value);
    }
    this.cache.set(hash, entry);
  }
}
