import { randomUUID } from 'node:crypto';
import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
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
    redact: { paths: [...ALWAYS_REDACTED, ...secretPaths], censor: '[redacted]' },
    genReqId(request, response) {
      const incoming = request.headers['x-request-id'];
      const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      response.setHeader('X-Request-Id', id);
      return id;
    },
    // Method, path and id are what an operator needs; headers and bodies are where secrets live.
    serializers: {
      req: (request: { id: unknown; method: string; url: string }) => ({
        id: request.id,
        method: request.method,
        url: request.url,
      }),
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
    },
    autoLogging: {
      ignore: (request) => request.url === '/metrics' || (request.url ?? '').startsWith('/health'),
    },
    ...(destination === undefined && prettyWanted() ? { transport: { target: 'pino-pretty' } } : {}),
  };
  return LoggerModule.forRoot({ pinoHttp: destination === undefined ? options : [options, destination] });
}
