import {
  type ArgumentMetadata,
  HttpStatus,
  ParseUUIDPipe,
  type PipeTransform,
  ValidationPipe,
  type ValidationError,
} from '@nestjs/common';
import { validate } from 'class-validator';
import { bindBody, isDto } from './body-binding.js';
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
    // An error about a value rather than a property (an array inside an array) has no property.
    const property = (error.property as string | undefined) ?? '';
    const field = property === '' ? prefix || 'body' : prefix === '' ? property : `${prefix}.${property}`;
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

const VALIDATOR_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
} as const;

/** Unknown body fields are found while binding (body-binding.ts); class-validator checks the rest. */
const BODY_VALIDATOR_OPTIONS = { ...VALIDATOR_OPTIONS, whitelist: false, forbidNonWhitelisted: false };

/**
 * Bodies and query strings, each checked as the route will read it.
 *
 * A JSON body is validated as sent and the route gets exactly that: a DTO instance over the parsed
 * values themselves (see body-binding.ts), nothing converted, copied or stripped. Free-form JSON (a
 * payload, a result) keeps keys such as `constructor` and `__proto__` as data, and `"1e2"` stays a
 * string that an integer field refuses. A missing body is `{}`, so an operation whose fields all have
 * defaults needs none. A body its DTO's compiled check accepts skips class-validator (compiled-check.ts).
 *
 * Query strings and route parameters are text, so they go through Nest's pipe, which converts them
 * (`limit=5` to 5) before checking.
 */
class ConveyorValidationPipe implements PipeTransform {
  private readonly queries = new ValidationPipe({
    ...VALIDATOR_OPTIONS,
    transform: true,
    exceptionFactory: (errors) => validationProblem(fieldErrors(errors)),
  });

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const { metatype } = metadata;
    if (metadata.type !== 'body' || metatype === undefined || !isDto(metatype)) {
      return this.queries.transform(value, metadata);
    }
    if (bodyCheck(metatype)?.(value) === true) return value;
    return validateBody(metatype, value);
  }
}

/** A JSON body as the route will get it (see ConveyorValidationPipe), or the 400 problem. */
export async function validateBody<T extends object>(
  dto: abstract new (...args: never[]) => T,
  value: unknown,
): Promise<T> {
  const bound = bindBody(dto, value);
  if (bound === null) {
    throw validationProblem([{ field: 'body', messages: ['the body must be a JSON object'] }]);
  }
  const errors = [
    ...bound.unknownFields.map((field) => ({
      field,
      messages: [`property ${field.split('.').at(-1) ?? field} should not exist`],
    })),
    ...fieldErrors(await validate(bound.instance, BODY_VALIDATOR_OPTIONS)),
  ];
  if (errors.length > 0) throw validationProblem(errors);
  return bound.instance as T;
}

export function createValidationPipe(): PipeTransform {
  return new ConveyorValidationPipe();
}

/** A UUID route parameter; anything else is a 400 problem naming the parameter. */
export function uuidParam(field = 'id'): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () => validationProblem([{ field, messages: [`${field} must be a UUID`] }]),
  });
}
