import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CallerView } from '../application/ports/api-key-store.js';
import type { Principal } from '../domain/principal.js';
import { RequestPrincipal } from './access.js';
import { CallerDocument } from './dto/api-key.document.js';
import { RequiresKey } from './requires.js';

/** Who is calling: lets a client (a dashboard) offer only what its key may do. */
@ApiTags('auth')
@Controller('v1/me')
export class MeController {
  @Get()
  @RequiresKey('read')
  @ApiOperation({
    summary:
      'The API key making the request: its id, name, namespace, scopes and expiry. Any valid key; never the key itself.',
  })
  @ApiOkResponse({ type: CallerDocument })
  me(@RequestPrincipal() principal: Principal): CallerView {
    return {
      id: principal.keyId,
      name: principal.name,
      namespace: principal.namespace,
      scopes: [...principal.scopes],
      expiresAt: principal.expiresAt?.toISOString() ?? null,
    };
  }
}
