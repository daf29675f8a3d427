import type { BackoffPolicy } from '../domain/backoff.js';

/** One invalid payload field, with a path relative to the payload. */
export interface PayloadFieldError {
  field: string;
  messages: string[];
}

/** What an in-process handler declares about its type (see the worker library's @JobHandler). */
export interface JobTypeDefaults {
  queue?: string;
  maxAttempts?: number;
  backoff?: BackoffPolicy;
}

/**
 * Rules the submit path applies per job type (handlers belong to one namespace each). Provided by the worker library when handlers are
 * registered; without a provider every type is accepted as it comes (external REST workers).
 */
export interface JobTypeRules {
  /** Whether the type may be submitted at all (unknown types can be refused by configuration). */
  accepts(namespace: string, type: string): boolean;
  defaultsFor(namespace: string, type: string): JobTypeDefaults | undefined;
  /** Problems with the payload for this type; empty when it is valid or the type has no schema. */
  validatePayload(namespace: string, type: string, payload: Record<string, unknown>): PayloadFieldError[];
}

export const JOB_TYPE_RULES = Symbol('JOB_TYPE_RULES');
