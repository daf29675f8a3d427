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

  @ApiProperty({ example: 400 })
  status: number;

  @ApiPropertyOptional()
  detail?: string;

  @ApiPropertyOptional({ description: 'The request path.' })
  instance?: string;

  @ApiPropertyOptional({
    description: 'On validation errors: one entry per bad field.',
    type: 'array',
    items: {
      type: 'object',
      properties: { field: { type: 'string' }, messages: { type: 'array', items: { type: 'string' } } },
    },
  })
  errors?: { field: string; messages: string[] }[];
}

const MEANING: Record<number, string> = {
  400: 'The request is malformed or a field is invalid; nothing was changed.',
  401: 'No API key, or an unknown, revoked or expired one.',
  403: 'The API key lacks the scope, or names a namespace it may not act in.',
  404: 'Not found (in the namespace the request acts in).',
  409: 'The job is not in a state that allows this, or the lease was lost.',
  413: 'The body is larger than CONVEYOR_BODY_LIMIT_BYTES.',
  415: 'The body is not JSON (Content-Type must be application/json, in UTF-8).',
  422: 'The idempotency key was already used for a different job.',
  429: 'Rate limit or namespace cap reached; see Retry-After.',
  503: 'Not ready.',
};

/** Documents the problem answers a route can give. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDocument),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: MEANING[status] ?? 'Error.',
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDocument) } } },
      }),
    ),
  );
}
