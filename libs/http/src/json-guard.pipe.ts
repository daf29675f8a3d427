import { HttpStatus, Injectable, type PipeTransform } from '@nestjs/common';
import { ProblemException } from './problem.js';

export const MAX_JSON_DEPTH = 64;

/** Half of a UTF-16 pair without its other half: JSON can carry it, PostgreSQL's json cannot. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a parsed JSON value cannot be accepted, or null if it can. Iterative: no stack to overflow. */
export function jsonHazard(value: unknown, maxDepth = MAX_JSON_DEPTH): string | null {
  // Two parallel stacks rather than one of {value, depth} pairs: a batch body has thousands of members.
  const values: unknown[] = [value];
  const depths: number[] = [0];
  while (values.length > 0) {
    const current = values.pop();
    const depth = depths.pop() ?? 0;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return 'strings must not contain NUL (\\u0000) characters';
      if (LONE_SURROGATE.test(current)) return 'strings must be well-formed Unicode (no lone surrogates)';
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= maxDepth) return `JSON is nested deeper than ${maxDepth} levels`;
    const object = current as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      if (key.includes('\u0000')) return 'keys must not contain NUL (\\u0000) characters';
      if (LONE_SURROGATE.test(key)) return 'keys must be well-formed Unicode (no lone surrogates)';
      values.push(object[key]);
      depths.push(depth + 1);
    }
  }
  return null;
}

/**
 * Runs before validation on every body and query: PostgreSQL cannot store NUL or lone surrogates in text or jsonb,
 * and very deep nesting would exhaust the stack of the recursive code after us.
 */
@Injectable()
export class JsonGuardPipe implements PipeTransform {
  transform(value: unknown): unknown {
    const hazard = jsonHazard(value);
    if (hazard !== null) {
      throw ProblemException.of(
        HttpStatus.BAD_REQUEST,
        'unsafe-json',
        'The request cannot be stored.',
        hazard,
      );
    }
    return value;
  }
}
