import type { Scope } from '../../domain/scopes.js';

/**
 * The port of API keys: what authentication, the bootstrap and key management need from storage.
 * Its adapter is infrastructure/api-key.repository.ts.
 */
export const API_KEY_STORE = Symbol('API_KEY_STORE');

/** An API key as admins see it: everything but the key (which nobody can see again). */
export interface ApiKeyView {
  id: string;
  name: string;
  namespace: string;
  scopes: Scope[];
  keyPrefix: string;
  submitPerSecond: number | null;
  readPerSecond: number | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** What a key may know of itself (GET /v1/me): what it is and may do, never the key or its hash. */
export type CallerView = Pick<ApiKeyView, 'id' | 'name' | 'namespace' | 'scopes' | 'expiresAt'>;

export interface NewApiKeyRow {
  name: string;
  namespace: string;
  scopes: readonly Scope[];
  keyHash: string;
  keyPrefix: string;
  submitPerSecond: number | null;
  readPerSecond: number | null;
  expiresAt: Date | null;
}

export interface AuthenticatedKey {
  id: string;
  name: string;
  namespace: string;
  scopes: Scope[];
  submitPerSecond: number | null;
  readPerSecond: number | null;
  expired: boolean;
  expiresAt: Date | null;
  /** Seconds left before expiry by the database clock; null when the key never expires. */
  expiresIn: number | null;
}

/** What the bootstrap sees while it holds the lock, and the one write it may make. */
export interface BootstrapState {
  anyKey: boolean;
  byHash(hash: string): Promise<ApiKeyView | null>;
  insert(key: NewApiKeyRow): Promise<ApiKeyView>;
}

export interface ApiKeyStore {
  /** The key with this hash (revoked keys are not found), with its expiry by the database clock. */
  authenticate(keyHash: string): Promise<AuthenticatedKey | null>;
  /** Whether `at` is later than the database's now(). */
  isFuture(at: Date): Promise<boolean>;
  insert(key: NewApiKeyRow): Promise<ApiKeyView>;
  /** Every key, or the keys of one namespace. */
  list(namespace: string | null): Promise<ApiKeyView[]>;
  /** The key after revocation, or null when no key has that id. */
  revoke(id: string): Promise<ApiKeyView | null>;
  /**
   * Runs `decide` while holding the bootstrap lock, so replicas booting together agree on whether
   * a first admin key is needed. The insert `decide` makes commits only if it returns normally.
   */
  underBootstrapLock<T>(decide: (state: BootstrapState) => Promise<T>): Promise<T>;
}
