import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { RateClass } from '../application/rate-limiter.js';
import type { Principal } from '../domain/principal.js';
import type { Scope } from '../domain/scopes.js';

/** Who may call a route. A route without any is treated as `admin` only: access is opt-in. */
export type Access =
  | { kind: 'public' }
  | { kind: 'scope'; scope: Scope; rate: RateClass; cost?: RequestCost }
  | { kind: 'key'; rate: RateClass };

export const ACCESS_METADATA = 'conveyor:access';

/** No API key needed (health probes). */
export const Public = () => SetMetadata(ACCESS_METADATA, { kind: 'public' } satisfies Access);

/** How many tokens a request takes from its bucket (a batch: one per job); 1 when not given. */
export type RequestCost = (request: { body?: unknown }) => number;

/** Needs a key with `scope` (or `admin`); `rate` names the token bucket the call draws on. */
export const RequireScope = (scope: Scope, rate: RateClass, cost?: RequestCost) =>
  SetMetadata(ACCESS_METADATA, {
    kind: 'scope',
    scope,
    rate,
    ...(cost === undefined ? {} : { cost }),
  } satisfies Access);

/** Needs a valid key, whatever its scopes (a key describing itself); `rate` as for RequireScope. */
export const RequireKey = (rate: RateClass) =>
  SetMetadata(ACCESS_METADATA, { kind: 'key', rate } satisfies Access);

/** What the guard leaves on the request for the route. */
export interface RequestAuth {
  principal: Principal;
  /** The namespace the request acts in: the key's own, or the one an admin key named. */
  namespace: string;
}

/** The Node request (Fastify's `request.raw`), where the guard leaves the caller for routes and logs. */
export interface AuthenticatedRequest {
  conveyorAuth?: RequestAuth;
}

/** The Node request under the adapter's request object. */
export function nodeRequest(request: { raw?: unknown }): AuthenticatedRequest {
  return request.raw ?? request;
}

function auth(context: ExecutionContext): RequestAuth {
  const found = nodeRequest(context.switchToHttp().getRequest()).conveyorAuth;
  if (found === undefined)
    throw new Error('route reads the caller but is not behind RequireScope or RequireKey');
  return found;
}

/** The namespace the request acts in (route parameter decorator). */
export const RequestNamespace = createParamDecorator(
  (_: unknown, context: ExecutionContext) => auth(context).namespace,
);

/** The API key behind the request, as the guard resolved it (route parameter decorator). */
export const RequestPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext) => auth(context).principal,
);
