/**
 * Namespace names: lower-case letters, digits, `.`, `_` and `-`, starting with a letter or digit.
 * Narrower than job names on purpose: they appear in headers, file names and dashboards.
 */
export const NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export const NAMESPACE_RULE = '1 to 63 of a-z, 0-9, ".", "_" and "-", starting with a letter or digit';

export function isNamespace(value: string): boolean {
  return NAMESPACE_PATTERN.test(value);
}
