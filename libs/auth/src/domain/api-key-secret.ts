import { createHash, randomBytes } from 'node:crypto';

/** Recognisable in logs and secret scanners; the rest is 192 random bits. */
const KEY_PREFIX = 'cvk_';

/** A fresh API key. Shown once to its creator; only its hash is stored. */
export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
}

/**
 * Keys are long random strings, so one SHA-256 is enough: there is no dictionary to guess from,
 * and a slow hash would cost every request (lookups are by hash, through a short cache).
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** What lists and logs show of a key: enough to tell keys apart, useless to call with. */
export function displayPrefix(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 6);
}
