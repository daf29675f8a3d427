import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream, Logger } from 'pino';
import type { Options } from 'pino-http';
import { nodeRequest } from '#conveyor/auth';
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

/** The client's X-Request-Id when usable, else a fresh UUID. */
export function requestId(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
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

/** What the request line reads off a Fastify request and its reply. */
export interface AnsweredRequest {
  id: string;
  method: string;
  /** As the client sent it, query string included. */
  url: string;
  /** The Node request, where the auth guard leaves the caller. */
  raw: unknown;
}
export interface Answer {
  statusCode: number;
  /** Milliseconds since the request arrived. */
  elapsedTime: number;
}

/**
 * The one line per answered request (Fastify's onResponse hook): id, method, path, status and
 * time, and who made it, as the API key's id (set by the auth guard), never the key. Health and
 * metrics requests are not logged.
 */
export function logRequest(logger: Logger, request: AnsweredRequest, reply: Answer): void {
  const [path = ''] = request.url.split('?', 1);
  if (path === '/metrics' || path.startsWith('/health')) return;
  const keyId = nodeRequest(request).conveyorAuth?.principal.keyId;
  logger.info(
    {
      req: { id: request.id, method: request.method, url: request.url },
      res: { statusCode: reply.statusCode },
      responseTime: Math.round(reply.elapsedTime),
      ...(keyId === undefined ? {} : { api_key_id: keyId }),
    },
    reply.statusCode >= 500 ? 'request errored' : 'request completed',
  );
}

/**
 * JSON lines (pretty on a terminal in development), level from LOG_LEVEL, and payload fields named
 * in CONVEYOR_SECRET_PAYLOAD_FIELDS redacted wherever a payload is logged. `destination` lets tests
 * read the lines.
 *
 * nestjs-pino is the application's logger, but not its request logger: its middleware (pino-http
 * behind Fastify's middleware layer, a child logger and an AsyncLocalStorage scope per request)
 * cost about 70 µs of a submit's 170. `logRequest` writes the same line from a Fastify hook.
 */
export function loggingModule(config: ConveyorConfig, destination?: DestinationStream): DynamicModule {
  const secretPaths = config.log.secretPayloadFields.flatMap((field) => [
    `payload.${field}`,
    `*.payload.${field}`,
    `job.payload.${field}`,
  ]);
  const options: Options = {
    level: config.log.level,
    // `req` and `res` are logged as logRequest writes them, not through serializers for Node's
    // request and response objects.
    wrapSerializers: false,
    mixin: traceLogFields,
    redact: { paths: [...ALWAYS_REDACTED, ...secretPaths], censor: '[redacted]' },
    ...(destination === undefined && prettyWanted() ? { transport: { target: 'pino-pretty' } } : {}),
  };
  return LoggerModule.forRoot({
    pinoHttp: destination === undefined ? options : [options, destination],
    // No route runs the middleware: requests are logged by logRequest.
    forRoutes: [],
  });
}
