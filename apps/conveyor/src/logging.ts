import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type DynamicModule, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import type { AuthenticatedRequest } from '#conveyor/auth';
import type { ConveyorConfig } from '#conveyor/config';
import { traceLogFields } from '#conveyor/telemetry';

/** A client's X-Request-Id is kept if it is short and printable; otherwise we mint one. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Credentials never reach a log line, even if a future serializer starts logging headers. */
const ALWAYS_REDACTED = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

function withKeyId(
  request: IncomingMessage & AuthenticatedRequest,
  _response: unknown,
  line: object,
): object {
  const keyId = request.conveyorAuth?.principal.keyId;
  return keyId === undefined ? line : { ...line, api_key_id: keyId };
}

/** The client's X-Request-Id when usable, else a fresh UUID. */
export function requestId(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** The request's path as the client sent it: Fastify's middleware layer rewrites `url` to `/`. */
function pathOf(request: { url?: string; originalUrl?: string }): string {
  return request.originalUrl ?? request.url ?? '';
}

function prettyWanted(): boolean {
  if (process.env['NODE_ENV'] === 'production' || !process.stdout.isTTY) return false;
  try {
    import.meta.resolve('pino-pretty'); // a devDependency: absent from production installs
    return true;
  } catch {
    return false;
  }
}

/**
 * JSON lines (pretty on a terminal in development), level from LOG_LEVEL, one line per request
 * with its request id, and payload fields named in CONVEYOR_SECRET_PAYLOAD_FIELDS redacted
 * wherever a payload is logged. `destination` lets tests read the lines.
 */
export function loggingModule(config: ConveyorConfig, destination?: DestinationStream): DynamicModule {
  const secretPaths = config.log.secretPayloadFields.flatMap((field) => [
    `payload.${field}`,
    `*.payload.${field}`,
    `job.payload.${field}`,
  ]);
  const options: Options = {
    level: config.log.level,
    mixin: traceLogFields,
    // Who made the request: the API key's id (set by the auth guard), never the key. Added to the
    // request's closing line only (customProps would build a child logger per request).
    customSuccessObject: withKeyId,
    customErrorObject: withKeyId,
    redact: { paths: [...ALWAYS_REDACTED, ...secretPaths], censor: '[redacted]' },
    // Fastify gave the request its id already (see requestId); it goes back as X-Request-Id.
    genReqId: requestId,
    // Method, path and id are what an operator needs; headers and bodies are where secrets live.
    serializers: {
      req: (request: { id: unknown; method: string; url: string; originalUrl?: string }) => ({
        id: request.id,
        method: request.method,
        url: pathOf(request),
      }),
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
    },
    autoLogging: {
      ignore: (request) => {
        const path = pathOf(request);
        return path === '/metrics' || path.startsWith('/health');
      },
    },
    ...(destination === undefined && prettyWanted() ? { transport: { target: 'pino-pretty' } } : {}),
  };
  return LoggerModule.forRoot({
    pinoHttp: destination === undefined ? options : [options, destination],
    // Every route. (nestjs-pino's default pattern matches nothing under the Fastify adapter.)
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
  });
}
