import { HttpStatus } from '@nestjs/common';
import { inexactNumberPath } from './json-numbers.js';
import { ProblemException } from './problem.js';
import { validationProblem } from './validation.js';

/**
 * A JSON request body, parsed as what the client sent. Keys such as `__proto__` and `constructor`
 * are data (JSON.parse makes them own properties; nothing here merges them into anything), and a
 * number JavaScript cannot hold exactly is refused with its path instead of being stored changed.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') {
    throw ProblemException.of(
      HttpStatus.BAD_REQUEST,
      'malformed-json',
      'The body is not valid JSON.',
      'The body is empty; send a JSON value, or no body and no Content-Type.',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw ProblemException.of(
      HttpStatus.BAD_REQUEST,
      'malformed-json',
      'The body is not valid JSON.',
      error instanceof SyntaxError ? error.message : 'The body could not be parsed as JSON.',
    );
  }
  const path = inexactNumberPath(text);
  if (path !== null) {
    throw validationProblem([
      {
        field: path === '' ? 'body' : path,
        messages: [
          'this number cannot be stored exactly (it is outside the range or precision of a double); ' +
            'send it as a string',
        ],
      },
    ]);
  }
  return value;
}
