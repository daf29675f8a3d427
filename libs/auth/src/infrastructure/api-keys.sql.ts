/**
 * Every statement on `api_keys`. Expiry is decided by the database clock (`now()`), like leases.
 */

const KEY_COLUMNS = `id, name, namespace, scopes, key_prefix, submit_per_second, read_per_second,
  created_at, expires_at, revoked_at`;

/**
 * authenticate — the key behind a hash, if it is not revoked. $1 key hash.
 * `expires_in` (seconds, NULL for never) lets the caller cache the answer no longer than the key
 * lives; `expired` is the database's verdict.
 */
export const AUTHENTICATE = `
SELECT id, name, namespace, scopes, submit_per_second, read_per_second, expires_at,
  (expires_at IS NOT NULL AND expires_at <= now()) AS expired,
  extract(epoch FROM expires_at - now())::float8 AS expires_in
FROM api_keys
WHERE key_hash = $1 AND revoked_at IS NULL`;

/**
 * insertKey — $1 name, $2 namespace, $3 scopes, $4 key hash, $5 display prefix, $6 submit rate,
 * $7 read rate, $8 expires_at. A past expiry is refused by the caller, against the database clock.
 */
export const INSERT_KEY = `
INSERT INTO api_keys (name, namespace, scopes, key_hash, key_prefix, submit_per_second, read_per_second, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING ${KEY_COLUMNS}`;

/** isFuture — whether $1 lies after the database's now(). */
export const IS_FUTURE = `SELECT $1::timestamptz > now() AS future`;

/** listKeys — every key, newest first; $1 namespace or NULL for all. Never the hash. */
export const LIST_KEYS = `
SELECT ${KEY_COLUMNS} FROM api_keys
WHERE $1::text IS NULL OR namespace = $1
ORDER BY created_at DESC, id`;

/** revokeKey — idempotent: a revoked key keeps its first revocation time. $1 id. */
export const REVOKE_KEY = `
UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
WHERE id = $1
RETURNING ${KEY_COLUMNS}`;

/**
 * lockBootstrap — serialises the first-start admin key across replicas booting at once
 * (transaction-scoped, released at commit).
 */
export const LOCK_BOOTSTRAP = `SELECT pg_advisory_xact_lock(hashtext('conveyor:bootstrap-admin-key'))`;

/** anyKey — whether any key, revoked or not, was ever created. */
export const ANY_KEY = `SELECT EXISTS (SELECT 1 FROM api_keys) AS any`;

/** keyByHash — a key by its hash whatever its state ($1 hash), for the bootstrap check. */
export const KEY_BY_HASH = `SELECT ${KEY_COLUMNS} FROM api_keys WHERE key_hash = $1`;
