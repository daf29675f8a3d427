import { HttpStatus, ParseUUIDPipe, ValidationPipe, type ValidationError } from '@nestjs/common';
import { ProblemException } from './problem.js';

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

/** Whitelisting, unknown fields rejected, and every bad field listed in a 400 problem. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
