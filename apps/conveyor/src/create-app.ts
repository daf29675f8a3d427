import type { IncomingMessage, ServerResponse } from 'node:http';
import { type INestApplication, type Type, UnsupportedMediaTypeException } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import helmet from 'helmet';
import type { DestinationStream } from 'pino';
import type { ConveyorConfig } from '#conveyor/config';
import { createValidationPipe, JsonGuardPipe, ProblemDetailsFilter } from '#conveyor/http';
import { AppModule } from './app.module.js';
import { answerClientError } from './client-errors.js';
import { logRequest, requestId } from './logging.js';
import { setUpOpenApi } from './openapi.js';

export interface CreateAppOptions {
  /** Extra modules with @JobHandler providers (tests, or a team's own entry point). */
  handlerModules?: Type[];
  /** Where log lines go; stdout by default. */
  logDestination?: DestinationStream;
}

/**
 * The whole HTTP application, configured the same way for `main.ts` and for the e2e tests.
 * Fastify underneath: it costs about half of what Express did per request (docs/performance.md).
 */
export async function createApp(
  config: ConveyorConfig,
  databaseUrl: string,
  options: CreateAppOptions = {},
): Promise<INestApplication> {
  const adapter = new FastifyAdapter({
    // Larger bodies are a 413 before anything reads them.
    bodyLimit: config.bodyLimitBytes,
    // Requests Node refuses before routing (oversized headers, broken HTTP) get a problem document.
    clientErrorHandler: answerClientError,
    routerOptions: { ignoreTrailingSlash: true },
    // The id of the request in every log line, and in the X-Request-Id answer header.
    genReqId: requestId,
  });
  // JSON only: without the text/plain parser, any other body is a 415 instead of a string, and so
  // is JSON in a charset other than UTF-8 (it would be read as UTF-8 and stored garbled).
  adapter.getInstance().removeContentTypeParser('text/plain');
  adapter.getInstance().addHook('onRequest', (request, _reply, done) => {
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1];
    done(
      charset === undefined || charset.toLowerCase() === 'utf-8'
        ? undefined
        : new UnsupportedMediaTypeException(),
    );
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({
      config,
      databaseUrl,
      handlerModules: options.handlerModules,
      logDestination: options.logDestination,
    }),
    adapter,
    { bodyParser: false, bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  const logger = PinoLogger.root;
  // helmet's headers on every answer, errors included, and the request id. helmet's headers
  // depend on nothing in the request, so its middleware runs once, here; running it per request
  // cost about 20 µs a request. Not `upgrade-insecure-requests`: inside a cluster the service is
  // often reached over plain HTTP, and the upgrade would break the /docs page's own scripts there.
  const securityHeaders = headersSetBy(
    helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }),
  );
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    void reply.headers(securityHeaders).header('X-Request-Id', request.id);
    done();
  });
  adapter.getInstance().addHook('onResponse', (request, reply, done) => {
    logRequest(logger, request, reply);
    done();
  });
  if (config.http.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.http.corsOrigins.includes('*') ? '*' : [...config.http.corsOrigins],
      allowedHeaders: [
        'Authorization',
        'Content-Type',
        'Idempotency-Key',
        'Conveyor-Namespace',
        'X-Request-Id',
      ],
      exposedHeaders: ['Idempotent-Replayed', 'Retry-After', 'X-Request-Id', 'Location'],
      maxAge: 600,
    });
  }
  app.useGlobalPipes(new JsonGuardPipe(), createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter(app.get(HttpAdapterHost)));
  if (config.worker.role !== 'worker') setUpOpenApi(app);
  return app;
}

/** The headers a Connect-style middleware sets on a response, for one that ignores the request. */
function headersSetBy(
  middleware: (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void,
): Record<string, string> {
  const headers = new Map<string, string>();
  const response = {
    setHeader: (name: string, value: string) => headers.set(name, value),
    removeHeader: (name: string) => headers.delete(name),
  };
  middleware({} as IncomingMessage, response as unknown as ServerResponse, (error) => {
    if (error !== undefined) throw new Error('the header middleware failed', { cause: error });
  });
  return Object.fromEntries(headers);
}
