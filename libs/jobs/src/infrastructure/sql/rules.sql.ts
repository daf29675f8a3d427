/**
 * The rules the lifecycle statements share, each written once. The statements decide a job's next
 * status from these (docs/state-machine.md has the table); the domain only explains refusals.
 * Last, the error-text filter the list and the redrive share. Each takes the alias of the `jobs`
 * row in the statement.
 */

/**
 * The lease is still good. clock_timestamp(), not now(): an in-process handler completes inside
 * a transaction that may have begun long before, and now() is frozen at the transaction's start.
 */
export const leaseAlive = (j: string): string => `${j}.lease_expires_at > clock_timestamp()`;

/** The job is held under `token` (an SQL expression), and the lease is good: only its holder may act. */
export const heldUnder = (j: string, token: string): string =>
  `${j}.status = 'processing' AND ${j}.lease_token = ${token} AND ${leaseAlive(j)}`;

/**
 * The job is held under `token` by a transaction that locked its row while the lease was good
 * (LOCK_HELD_JOB): nobody can claim, reap or settle it while that lock lasts, so the lease's end no
 * longer matters. Only statements run in that same transaction may use this fence.
 */
export const heldByLock = (j: string, token: string): string =>
  `${j}.status = 'processing' AND ${j}.lease_token = ${token}`;

/**
 * Another attempt is allowed after this one. Attempts are counted at claim, so `attempts` already
 * includes the attempt that is ending; a job whose worker dies on every attempt still runs out.
 */
export const attemptsLeft = (j: string): string => `${j}.attempts < ${j}.max_attempts`;

/** The lease has run out: its worker is presumed dead (by the transaction's clock, like the claim). */
export const leaseExpired = (j: string): string => `${j}.lease_expires_at <= now()`;

/**
 * How many jobs a rate limit lets start now (NULL without one): a bucket of rate_limit tokens,
 * refilled at rate_limit per rate_period_seconds since it was last drawn from (rate_refilled_at),
 * full when never drawn from. Of the queue_controls row aliased `c`.
 */
export const rateAvailable = (c: string): string => `least(${c}.rate_limit,
  coalesce(${c}.rate_tokens, ${c}.rate_limit)
  + coalesce(greatest(extract(epoch FROM now() - ${c}.rate_refilled_at), 0), 0) * ${c}.rate_limit / ${c}.rate_period_seconds)`;

/**
 * The last error of the job aliased `j` contains `text` (an SQL expression; NULL matches nothing),
 * in any case, as written: its % and _ are escaped, not wildcards. ILIKE rather than
 * strpos(lower(...)): the trigram index jobs_last_error_trgm_idx serves ILIKE, so a search that
 * matches few jobs reads those instead of the whole namespace (migration ErrorTextSearch).
 */
export const errorContains = (j: string, text: string): string =>
  `${j}.last_error ILIKE ('%' || replace(replace(replace(${text}, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')`;
