import { Catch, HttpStatus } from '@nestjs/common';
import { type Problem, ProblemDetailsFilter, ProblemException, validationProblem } from '#conveyor/http';
import { ApiKeyNotFoundError, InvalidApiKeyFieldError } from '../domain/auth.errors.js';

/** Maps the auth library's errors to problem documents; everything else as usual. */
@Catch()
export class AuthErrorsFilter extends ProblemDetailsFilter {
  protected override problemFor(error: unknown): Problem {
    if (error instanceof ApiKeyNotFoundError) {
      return ProblemException.of(
        HttpStatus.NOT_FOUND,
        'api-key-not-found',
        'API key not found.',
        error.message,
      ).problem;
    }
    if (error instanceof InvalidApiKeyFieldError) {
      return validationProblem([{ field: error.field, messages: [error.message] }]).problem;
    }
    return super.problemFor(error);
  }
}
