import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';

/** The RFC 9457 body of every error answer, for the OpenAPI document. */
export class ProblemDocument {
  @ApiProperty({ example: 'urn:conveyor:problem:validation-error' })
  type: string;

  @ApiProperty({ example: 'Your request is not valid.' })
  title: string;

  @ApiProperty({ type: 'integer', example: 400 })
  status: number;

  @ApiProperty({ example: 'Invalid field(s): payload.' })
  detail: string;

  @ApiPropertyOptional({ description: 'The request path.' })
  instance?: string;

  @ApiPropertyOptional({
    description: 'On validation errors: one entry per bad field.',
    type: 'array',
    items: {
      type: 'object',
      properties: { field: { type: 'string' }, messages: { type: 'array', items: { type: 'string' } } },
      required: ['field', 'messages'],
    },
  })
  errors?: { field: string; messages: string[] }[];
}

/**
 * Any JSON value, null included. The generator cannot say that, so the app's finishOpenApi writes
 * its schema; the class is only a name to refer to.
 */
// eslint-disable-next-line @typescript-eslint/no-extraneous-class -- a schema name, nothing else
export class JsonValueDocument {}

export const PROBLEM_MEANINGS: Readonly<Record<number, string>> = {
  400: 'The request is malformed or a field is invalid; nothing was changed.',
  401: 'No API key, or an unknown, revoked or expired one.',
  403: 'The API key lacks the scope, or names a namespace it may not act in.',
  404: 'Not found (in the namespace the request acts in).',
  408: 'The request did not arrive in time (CONVEYOR_REQUEST_TIMEOUT_MS, CONVEYOR_HEADERS_TIMEOUT_MS).',
  409: 'The job is not in a state that allows this, or the lease was lost.',
  413: 'The body is larger than CONVEYOR_BODY_LIMIT_BYTES.',
  415: 'The body is not JSON (Content-Type must be application/json, in UTF-8).',
  422: 'The idempotency key was already used for a different job.',
  429: 'Rate limit or namespace cap reached; see Retry-After.',
  431: 'The request headers are too large.',
  500: 'An unexpected error (a bug); it is logged with the X-Request-Id of the answer.',
  503: 'The database is unavailable, or the instance is not ready; see Retry-After.',
};

/** The OpenAPI response object of a problem answer. */
export function problemResponse(status: number): {
  description: string;
  content: { 'application/problem+json': { schema: { $ref: string } } };
} {
  return {
    description: PROBLEM_MEANINGS[status] ?? 'Error.',
    content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDocument) } } },
  };
}

/** Documents the problem answers a route can give. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDocument),
    ...statuses.map((status) => ApiResponse({ status, ...problemResponse(status) })),
  );
}

/**
 * A value as JSON carries it: dates as ISO 8601 strings, arrays and objects member by member. An
 * OpenAPI document class `implements Wire<View>`, so the compiler holds the document to the view
 * the route returns: a field missing from it, or typed differently, does not compile.
 */
export type Wire<T> = T extends Date
  ? string
  : T extends readonly (infer Item)[]
    ? Wire<Item>[]
    : T extends object
      ? { [Key in keyof T]: Wire<T[Key]> }
      : T;
