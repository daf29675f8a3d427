/**
 * `npm run apikey -- <command>`: manage API keys straight in the database, for automation and for
 * when no admin key is at hand. Uses DATABASE_URL, or the embedded PostgreSQL of CONVEYOR_DATA_DIR
 * (the running service's, or started for the command).
 *
 *   create --name <name> --namespace <ns> --scopes <scope,...> [--expires-at <ISO 8601>]
 *          [--submit-per-second <n>] [--read-per-second <n>]
 *   list [--namespace <ns>]
 *   revoke <id>
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import {
  ApiKeyRepository,
  CreateApiKeyBody,
  CreateApiKeyCommand,
  CreateApiKeyHandler,
  createApiKeyInput,
  type ApiKeyStore,
  type ApiKeyView,
  InvalidApiKeyFieldError,
  SCOPES,
} from '#conveyor/auth';
import { loadConfig } from '#conveyor/config';
import { dataSourceOptions, openDatabase, runMigrations, Sql } from '#conveyor/database';
import { type FieldError, ProblemException, validateBody } from '#conveyor/http';
import { CONVEYOR_ENTITIES, CONVEYOR_MIGRATIONS } from './schema.js';

const USAGE = `usage:
  npm run apikey -- create --name <name> --namespace <ns> --scopes <scope,...> [--expires-at <ISO 8601>]
                           [--submit-per-second <n>] [--read-per-second <n>]
  npm run apikey -- list [--namespace <ns>]
  npm run apikey -- revoke <id>
scopes: ${SCOPES.join(', ')}`;

class UsageError extends Error {}

function integerOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number`);
  return Number(value);
}

async function create(repository: ApiKeyStore, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      namespace: { type: 'string' },
      scopes: { type: 'string' },
      'expires-at': { type: 'string' },
      'submit-per-second': { type: 'string' },
      'read-per-second': { type: 'string' },
    },
  });
  // The same rules as POST /v1/admin/api-keys.
  const body = await validateBody(CreateApiKeyBody, {
    name: values.name,
    namespace: values.namespace,
    scopes: values.scopes?.split(',').map((scope) => scope.trim()),
    expiresAt: values['expires-at'],
    submitPerSecond: integerOption(values['submit-per-second'], 'submit-per-second'),
    readPerSecond: integerOption(values['read-per-second'], 'read-per-second'),
  }).catch((error: unknown) => {
    if (!(error instanceof ProblemException)) throw error;
    const problems = (error.problem['errors'] ?? []) as FieldError[];
    throw new UsageError(
      problems.map((problem) => `${problem.field}: ${problem.messages.join('; ')}`).join('\n'),
    );
  });
  const created = await new CreateApiKeyHandler(repository).execute(
    new CreateApiKeyCommand(createApiKeyInput(body)),
  );
  // The key alone on stdout (KEY=$(npm run -s apikey -- create ...)); the rest for people, on stderr.
  process.stderr.write(`created ${describe(created)}\nstore the key now: it cannot be shown again\n`);
  process.stdout.write(`${created.key}\n`);
}

function describe(key: ApiKeyView): string {
  const state = key.revokedAt !== null ? `revoked ${key.revokedAt}` : `expires ${key.expiresAt ?? 'never'}`;
  return `${key.id}  ${key.keyPrefix}…  ${key.namespace}  ${key.scopes.join(',')}  "${key.name}"  ${state}`;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  if (command === undefined || !['create', 'list', 'revoke'].includes(command)) throw new UsageError(USAGE);
  const config = loadConfig();
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    embeddedPort: config.embeddedPostgresPort,
    shareRunning: true,
  });
  const dataSource = new DataSource(
    dataSourceOptions({
      url: database.url,
      poolSize: 2,
      entities: CONVEYOR_ENTITIES,
      migrations: CONVEYOR_MIGRATIONS,
      applicationName: 'conveyor-apikey',
    }),
  );
  try {
    await dataSource.initialize();
    await runMigrations(dataSource);
    const repository = new ApiKeyRepository(
      new Sql(dataSource, { namedStatements: config.dbPreparedStatements }),
    );
    switch (command) {
      case 'create':
        await create(repository, args);
        break;
      case 'list': {
        const { values } = parseArgs({ args, options: { namespace: { type: 'string' } } });
        for (const key of await repository.list(values.namespace ?? null)) {
          process.stdout.write(`${describe(key)}\n`);
        }
        break;
      }
      case 'revoke': {
        const { positionals } = parseArgs({ args, allowPositionals: true });
        const [id] = positionals;
        if (id === undefined || !/^[0-9a-f-]{36}$/i.test(id))
          throw new UsageError('revoke needs the key id (a UUID)');
        const revoked = await repository.revoke(id);
        if (revoked === null) throw new UsageError(`no API key has id ${id}`);
        process.stdout.write(`revoked ${describe(revoked)}\n`);
        break;
      }
    }
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.stop();
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  const badArguments = (error as { code?: unknown }).code?.toString().startsWith('ERR_PARSE_ARGS') === true;
  if (error instanceof UsageError || error instanceof InvalidApiKeyFieldError || badArguments) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
