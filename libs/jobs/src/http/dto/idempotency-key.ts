import { applyDecorators } from '@nestjs/common';
import { IsString, Matches } from 'class-validator';
import {
  CharLength,
  IsOmittable,
  PRINTABLE_MESSAGE,
  PRINTABLE_PATTERN,
  validationProblem,
} from '#conveyor/http';
import { MAX_NAME_LENGTH } from './names.js';

/** An optional text of 1–255 printable characters: an idempotency key, a name (what the database stores). */
export function IsPrintableText(): PropertyDecorator {
  return applyDecorators(
    IsOmittable(),
    IsString(),
    CharLength(1, MAX_NAME_LENGTH),
    Matches(PRINTABLE_PATTERN, { message: PRINTABLE_MESSAGE }),
  );
}

/**
 * The idempotency key of a submit: from the body or the Idempotency-Key header (both only when
 * equal), null when neither names one.
 */
export function requestIdempotencyKey(
  bodyKey: string | undefined,
  headerKey: string | undefined,
): string | null {
  if (headerKey !== undefined) {
    if (headerKey.length < 1 || headerKey.length > MAX_NAME_LENGTH || !PRINTABLE_PATTERN.test(headerKey)) {
      throw validationProblem([
        { field: 'Idempotency-Key', messages: [`must be 1 to ${MAX_NAME_LENGTH} printable characters`] },
      ]);
    }
    if (bodyKey !== undefined && bodyKey !== headerKey) {
      throw validationProblem([
        {
          field: 'idempotencyKey',
          messages: ['differs from the Idempotency-Key header; send one, or the same'],
        },
      ]);
    }
  }
  return bodyKey ?? headerKey ?? null;
}
