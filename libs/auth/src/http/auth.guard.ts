import { type CanActivate, type ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { ProblemException, validationProblem } from '#conveyor/http';
import { type RateClass, RateLimiter } from '../application/rate-limiter.js';
import { isNamespace, NAMESPACE_RULE } from '../domain/namespace.js';
import type { Principal } from '../domain/principal.js';
import { grants, type Scope } from '../domain/scopes.js';
import { type Access, ACCESS_METADATA, nodeRequest } from './access.js';
import { KeyCheck } from './key-check.js';

/** An admin key names the namespace it acts in with this header; other keys may only name their own. */
const NAMESPACE_HEADER = 'conveyor-namespace';

const ADMIN_ONLY: Access = { kind: 'scope', scope: 'admin', rate: 'none' };

type Request = { headers: IncomingMessage['headers']; raw?: unknown; body?: unknown };

/**
 * The one gate in front of every route: API key (401), scope (403), namespace (403) and rate
 * limit (429), in that order. Installed globally, so a route is never open by omission.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: KeyCheck,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access =
      this.reflector.getAllAndOverride<Access | undefined>(ACCESS_METADATA, [
        context.getHandler(),
        context.getClass(),
      ]) ?? ADMIN_ONLY;
    const request = context.switchToHttp().getRequest<Request>();
    switch (access.kind) {
      case 'public':
        return true;
      case 'scope':
        await this.admit(request, access.scope, access.rate, access.cost?.(request) ?? 1);
        return true;
      case 'key':
        await this.admit(request, null, access.rate);
        return true;
    }
  }

  /** `scope` null: any valid key will do. */
  private async admit(request: Request, scope: Scope | null, rate: RateClass, cost = 1): Promise<void> {
    const { authorization } = request.headers;
    const principal =
      scope === null
        ? await this.keys.principal(authorization)
        : await this.keys.principalWith(authorization, scope);
    const namespace = this.namespace(request, principal);
    const decision = this.limiter.take(principal, rate, cost);
    if (!decision.allowed) {
      throw ProblemException.of(
        HttpStatus.TOO_MANY_REQUESTS,
        'rate-limited',
        'Too many requests for this API key.',
        `Retry after ${decision.retryAfterSeconds} s.`,
        { retryAfterSeconds: decision.retryAfterSeconds },
      );
    }
    // On the Node request: the routes read it, and so does the request log line (api_key_id).
    nodeRequest(request).conveyorAuth = { principal, namespace };
  }

  private namespace(request: Request, principal: Principal): string {
    const named = request.headers[NAMESPACE_HEADER];
    if (named === undefined) return principal.namespace;
    if (typeof named !== 'string' || !isNamespace(named)) {
      throw validationProblem([{ field: 'Conveyor-Namespace', messages: [`must be ${NAMESPACE_RULE}`] }]);
    }
    if (named !== principal.namespace && !grants(principal.scopes, 'admin')) {
      throw ProblemException.of(
        HttpStatus.FORBIDDEN,
        'namespace-forbidden',
        'Your API key may not act in another namespace.',
        'Only admin keys may name a namespace other than their own.',
      );
    }
    return named;
  }
}
