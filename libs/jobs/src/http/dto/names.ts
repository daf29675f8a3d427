import { applyDecorators } from '@nestjs/common';
import { IsString, Matches } from 'class-validator';
import { CharLength } from '#conveyor/http';

/**
 * Job types and queue names become metric labels and log fields: keep them short and plain.
 * Letters, digits and . _ : / - ; starting with a letter or digit.
 */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;
export const NAME_MESSAGE =
  '$property must start with a letter or digit and contain only letters, digits and . _ : / -';
export const MAX_NAME_LENGTH = 255;

/** A job type or queue name (also each element of an array with `each: true`). */
export function IsName(options: { each?: boolean } = {}): PropertyDecorator {
  const each = options.each ?? false;
  return applyDecorators(
    IsString({ each }),
    CharLength(1, MAX_NAME_LENGTH, { each }),
    Matches(NAME_PATTERN, { each, message: NAME_MESSAGE }),
  );
}

/** The OpenAPI schema of a job type or queue name (what IsName checks). */
export const NAME_SCHEMA = {
  type: 'string',
  minLength: 1,
  maxLength: MAX_NAME_LENGTH,
  pattern: NAME_PATTERN.source,
} as const;
