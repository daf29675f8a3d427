import { HttpStatus, Injectable } from '@nestjs/common';
import { ProblemException } from '#conveyor/http';
import { Authenticator } from '../application/authenticator.js';
import type { Principal } from '../domain/principal.js';
import { grants, type Scope } from '../domain/scopes.js';

/** `Bearer <key>`; keys are printable ASCII without spaces. Longer than any real key is unknown. */
const BEARER = /^Bearer +([\x21-\x7e]{1,512}) *$/i;

const INVALID_TOKEN = 'Bearer realm="conveyor", error="invalid_token"';

function unauthorized(detail: string, challenge: string): ProblemException {
  return ProblemException.of(
    HttpStatus.UNAUTHORIZED,
    'unauthorized',
    'An API key is required.',
    detail,
  ).withHeader('WWW-Authenticate', challenge);
}

/** An `Authorization` header to a principal allowed `scope`: 401 and 403 problems otherwise. */
@Injectable()
export class KeyCheck {
  constructor(private readonly authenticator: Authenticator) {}

  async principalWith(authorization: string | undefined, scope: Scope): Promise<Principal> {
    const principal = await this.principal(authorization);
    if (!grants(principal.scopes, scope)) {
      throw ProblemException.of(
        HttpStatus.FORBIDDEN,
        'insufficient-scope',
        'Your API key may not do this.',
        `This needs the "${scope}" scope.`,
        { requiredScope: scope },
      );
    }
    return principal;
  }

  /** An `Authorization` header to its principal, whatever the key may do: 401 problems otherwise. */
  async principal(authorization: string | undefined): Promise<Principal> {
    if (authorization === undefined || authorization === '') {
      throw unauthorized('Send your API key as "Authorization: Bearer <key>".', 'Bearer realm="conveyor"');
    }
    const key = BEARER.exec(authorization)?.[1];
    if (key === undefined) {
      throw unauthorized(
        'The Authorization header must be "Bearer <key>".',
        'Bearer realm="conveyor", error="invalid_request"',
      );
    }
    const result = await this.authenticator.authenticate(key);
    switch (result.outcome) {
      case 'ok':
        return result.principal;
      case 'expired':
        throw unauthorized('The API key has expired.', INVALID_TOKEN);
      case 'unknown':
        throw unauthorized('The API key is not known, or was revoked.', INVALID_TOKEN);
    }
  }
}
