import { hash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth, so `{a:1,b:2}` and `{b:2,a:1}` serialise alike.
 * Arrays keep their order (it is meaningful). Input is parsed JSON, so only JSON values occur.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const object = value as Record<string, unknown>;
  const keys = sortedKeys(object);
  let out = '{';
  for (const key of keys) {
    const member = object[key];
    if (member === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${canonicalJson(member)}`;
  }
  return `${out}}`;
}

/**
 * The object's keys in UTF-16 code unit order, as the default sort and `<` on strings order them.
 * The few keys of a typical payload are sorted in place, by insertion: Array.prototype.sort
 * allocates a work area per call, and a 1,000-node workflow fingerprints a thousand payloads.
 */
function sortedKeys(object: object): string[] {
  const keys = Object.keys(object);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i += 1) {
    const key = keys[i] as string;
    let j = i - 1;
    for (; j >= 0 && (keys[j] as string) > key; j -= 1) keys[j + 1] = keys[j] as string;
    keys[j + 1] = key;
  }
  return keys;
}

/**
 * SHA-256 over type, queue and canonical payload: the idempotency key of a submit that names none,
 * and what an explicit key's reuse is compared against. Length-prefixing the parts keeps
 * ("a|b", "c") and ("a", "b|c") apart.
 */
export function jobFingerprint(type: string, queue: string, payload: unknown): string {
  const body = canonicalJson(payload);
  // One string, hashed in one call: a batch fingerprints a thousand jobs per request.
  return hash(
    'sha256',
    `${Buffer.byteLength(type)}:${type}${Buffer.byteLength(queue)}:${queue}${Buffer.byteLength(body)}:${body}`,
  );
}
