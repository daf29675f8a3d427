import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { CharLength, IsOmittable } from '#conveyor/http';

/** The `error` filter of GET /v1/jobs and of the dead-letter routes: text the last error contains, any case. */
export function ErrorTextFilter(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      type: 'string',
      minLength: 1,
      maxLength: 500,
      description: 'Only jobs whose last error contains this text (1–500 characters, any case).',
      example: 'timeout',
    }),
    IsOmittable(),
    IsString(),
    CharLength(1, 500),
  );
}
