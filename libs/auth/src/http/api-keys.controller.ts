import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  UseFilters,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblems, uuidParam } from '#conveyor/http';
import { CreateApiKeyCommand, type CreatedApiKey } from '../application/commands/create-api-key.js';
import { RevokeApiKeyCommand } from '../application/commands/revoke-api-key.js';
import { ListApiKeysQuery } from '../application/queries/list-api-keys.js';
import type { ApiKeyView } from '../application/ports/api-key-store.js';
import { AuthErrorsFilter } from './auth-errors.filter.js';
import { CreateApiKeyBody, createApiKeyInput, ListApiKeysParams } from './dto/create-api-key.body.js';
import { ApiKeyListDocument, CreatedApiKeyDocument } from './dto/api-key.document.js';
import { Requires } from './requires.js';

@ApiTags('admin')
@Controller('v1/admin/api-keys')
@UseFilters(AuthErrorsFilter)
@Requires('admin', 'none')
export class ApiKeysController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key; the key is in this answer and nowhere else, ever.' })
  @ApiCreatedResponse({ type: CreatedApiKeyDocument })
  @ApiProblems(400)
  create(@Body() body: CreateApiKeyBody): Promise<CreatedApiKey> {
    return this.commandBus.execute(new CreateApiKeyCommand(createApiKeyInput(body)));
  }

  @Get()
  @ApiOperation({
    summary: 'Every key (revoked and expired ones too), newest first. Never the keys themselves.',
  })
  @ApiOkResponse({ type: ApiKeyListDocument })
  @ApiProblems(400)
  list(@Query() params: ListApiKeysParams): Promise<{ keys: ApiKeyView[] }> {
    return this.queryBus.execute(new ListApiKeysQuery(params.namespace ?? null));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Revoke a key: at once on this instance, within CONVEYOR_AUTH_CACHE_SECONDS everywhere.',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The key id.' })
  @ApiNoContentResponse({ description: 'Revoked (or already revoked).' })
  @ApiProblems(400, 404)
  async revoke(@Param('id', uuidParam()) id: string): Promise<void> {
    await this.commandBus.execute(new RevokeApiKeyCommand(id));
  }
}
