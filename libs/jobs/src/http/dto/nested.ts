import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsObject, ValidateNested } from 'class-validator';

/**
 * A nested DTO: one object of `type` (or, with `each`, an array of them), checked by its own rules.
 * ValidateNested alone walks into whatever it is given, so it would take an array where one object
 * belongs, and arrays of arrays: IsObject keeps each value a single object.
 */
export function IsNested(
  type: () => abstract new () => object,
  options: { each?: boolean } = {},
): PropertyDecorator {
  const each = options.each ?? false;
  return applyDecorators(IsObject({ each }), ValidateNested({ each }), Type(type));
}
