import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth, so `{a:1,b:2}` and `{b:2,a:1}` serialise alike.
 * Arrays keep their order (it is meaningful). Input is parsed JSON, so only JSON values occur.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
}

/**
 * SHA-256 over type, queue and canonical payload: the idempotency key of a submit that names none,
 * and what an explicit key's reuse is compared against. Length-prefixing the parts keeps
 * ("a|b", "c") and ("a", "b|c") apart.
 */
export function jobFingerprint(type: string, queue: string, payload: unknown): string {
  const hash = createHash('sha256');
  for (const part of [type, queue, canonicalJson(payload)]) {
    hash.update(`${Buffer.byteLength(part)}:`);
    hash.update(part);
  }
  return hash.digest('hex');
}
