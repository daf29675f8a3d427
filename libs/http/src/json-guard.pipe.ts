import { HttpStatus, Injectable, type PipeTransform } from '@nestjs/common';
import { ProblemException } from './problem.js';

export const MAX_JSON_DEPTH = 64;

/** Half of a UTF-16 pair without its other half: JSON can carry it, PostgreSQL's json cannot. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a parsed JSON value cannot be accepted, or null if it can. Iterative: no stack to overflow. */
export function jsonHazard(value: unknown, maxDepth = MAX_JSON_DEPTH): string | null {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value: current, depth } = item;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return 'strings must not contain NUL (\\u0000) characters';
      if (LONE_SURROGATE.test(current)) return 'strings must be well-formed Unicode (no lone surrogates)';
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= maxDepth) return `JSON is nested deeper than ${maxDepth} levels`;
    for (const [key, member] of Object.entries(current)) {
      if (key.includes('\u0000')) return 'keys must not contain NUL (\\u0000) characters';
      if (LONE_SURROGATE.test(key)) return 'keys must be well-formed Unicode (no lone surrogates)';
      stack.push({ value: member, depth: depth + 1 });
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
