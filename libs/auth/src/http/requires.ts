import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader } from '@nestjs/swagger';
import { ApiProblems } from '#conveyor/http';
import type { RateClass } from '../application/rate-limiter.js';
import { NAMESPACE_PATTERN } from '../domain/namespace.js';
import type { Scope } from '../domain/scopes.js';
import { RequireKey, RequireScope, type RequestCost } from './access.js';

export const API_KEY_SECURITY = 'api-key';

/**
 * A route for API keys holding `scope`, drawing on the `rate` bucket; documented as such in the
 * OpenAPI document, with the answers the guard can give.
 */
export function Requires(
  scope: Scope,
  rate: RateClass,
  cost?: RequestCost,
): MethodDecorator & ClassDecorator {
  return documented(RequireScope(scope, rate, cost), rate);
}

/** A route for any valid API key, whatever its scopes; documented like Requires. */
export function RequiresKey(rate: RateClass): MethodDecorator & ClassDecorator {
  return documented(RequireKey(rate), rate);
}

/** `access` with what the OpenAPI document says of a route behind a key. */
function documented(
  access: MethodDecorator & ClassDecorator,
  rate: RateClass,
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    access,
    ApiBearerAuth(API_KEY_SECURITY),
    ApiHeader({
      name: 'Conveyor-Namespace',
      required: false,
      schema: { type: 'string', pattern: NAMESPACE_PATTERN.source },
      description:
        'The namespace to act in. Admin keys may name any; other keys only their own (the default).',
    }),
    ApiProblems(...(rate === 'none' ? [401, 403] : [401, 403, 429])),
  );
}
