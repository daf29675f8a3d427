import {
  type ArgumentMetadata,
  HttpStatus,
  ParseUUIDPipe,
  ValidationPipe,
  type ValidationError,
} from '@nestjs/common';
import { bodyCheck } from './compiled-check.js';
import { ProblemException } from './problem.js';

/** No control characters (NUL cannot be stored in PostgreSQL text at all). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const PRINTABLE_PATTERN = /^[^\u0000-\u001f\u007f]+$/;
export const PRINTABLE_MESSAGE = '$property must not contain control characters';

export interface FieldError {
  field: string;
  messages: string[];
}

/** Flattens class-validator's tree into one entry per bad field, with a dotted path. */
export function fieldErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix === '' ? error.property : `${prefix}.${error.property}`;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}

export function validationProblem(errors: FieldError[]): ProblemException {
  const fields = errors.map((error) => error.field).join(', ');
  return ProblemException.of(
    HttpStatus.BAD_REQUEST,
    'validation-error',
    'Your request is not valid.',
    `Invalid field(s): ${fields}.`,
    { errors },
  );
}

/**
 * Validates a copy of each body and hands the route the body as parsed. Nest's pipe deletes keys
 * named `constructor`, `prototype` and `__proto__` everywhere in what it validates, and
 * class-transformer drops more: in free-form JSON (a payload, a result) those are data, and
 * losing them would also make two different payloads look like one idempotent submit. Unknown
 * fields are refused, so the parsed body is exactly what the DTO describes. Query strings and
 * route parameters are converted as usual (text to numbers). A body its DTO's compiled check accepts
 * skips the pipe (see compiled-check.ts).
 */
class ConveyorValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'body') return super.transform(value, metadata);
    const check = metadata.metatype === undefined ? null : bodyCheck(metadata.metatype);
    if (check?.(value) === true) return value;
    // Nest strips those keys in place: it gets a copy when there are any to strip.
    await super.transform(hasPrototypeNamedKey(value) ? structuredClone(value) : value, metadata);
    return value;
  }
}

const PROTOTYPE_NAMES = new Set(['constructor', 'prototype', '__proto__']);

/** Whether any object in `value` has a key Nest's validation would delete. Iterative. */
function hasPrototypeNamedKey(value: unknown): boolean {
  const stack: unknown[] = [value];
  for (let current = stack.pop(); current !== undefined; current = stack.pop()) {
    if (current === null || typeof current !== 'object') continue;
    for (const [key, member] of Object.entries(current)) {
      if (PROTOTYPE_NAMES.has(key)) return true;
      stack.push(member);
    }
  }
  return false;
}

/** Whitelisting, unknown fields rejected, and every bad field listed in a 400 problem. */
export function createValidationPipe(): ValidationPipe {
  return new ConveyorValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationProblem(fieldErrors(errors)),
  });
}

/** A UUID route parameter; anything else is a 400 problem naming the parameter. */
export function uuidParam(field = 'id'): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () => validationProblem([{ field, messages: [`${field} must be a UUID`] }]),
  });
}
