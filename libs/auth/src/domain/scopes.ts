/**
 * What an API key may do. `admin` implies every other scope, in every namespace.
 * `queues:manage` pauses and resumes the queues of the key's namespace.
 * `metrics:read` is only needed when CONVEYOR_METRICS_AUTH protects `/metrics`.
 */
export const SCOPES = [
  'jobs:submit',
  'jobs:read',
  'jobs:work',
  'queues:manage',
  'metrics:read',
  'admin',
] as const;
export type Scope = (typeof SCOPES)[number];

/** Whether a key holding `held` may do what `needed` guards. */
export function grants(held: readonly Scope[], needed: Scope): boolean {
  return held.includes('admin') || held.includes(needed);
}
