import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type INestApplication, type Type, UnsupportedMediaTypeException } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import type { FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import type { DestinationStream } from 'pino';
import type { ConveyorConfig } from '#conveyor/config';
import { DatabaseOutage } from '#conveyor/database';
import {
  createValidationPipe,
  JsonGuardPipe,
  parseJsonBody,
  plainProblem,
  ProblemDetailsFilter,
} from '#conveyor/http';
import { AppModule } from './app.module.js';
import { clientErrorAnswer } from './client-errors.js';
import { serveDashboard } from './dashboard.js';
import { logRequest, requestId } from './logging.js';
import { setUpOpenApi } from './openapi.js';

export interface CreateAppOptions {
  /** Where migrations run, when not as `databaseUrl`'s role: the schema's owner. */
  ownerDatabaseUrl?: string | undefined;
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
  // helmet's headers on every answer, errors included, and the request id. helmet's headers
  // depend on nothing in the request, so its middleware runs once, here; running it per request
  // cost about 20 µs a request. Not `upgrade-insecure-requests`: inside a cluster the service is
  // often reached over plain HTTP, and the upgrade would break the /docs page's own scripts there.
  const securityHeaders = headersSetBy(
    helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }),
  );
  const adapter = new FastifyAdapter({
    // Larger bodies are a 413 before anything reads them.
    bodyLimit: config.bodyLimitBytes,
    // A request that reaches a closing server on a connection still open is served, with
    // `Connection: close`: the database is still there until the server has closed. Fastify's own
    // answer would be a bare 503, without Retry-After, X-Request-Id or a problem document.
    return503OnClosing: false,
    // A client that sends its request slowly (or never finishes it) gets a 408 and is closed.
    serverFactory: (handler: (request: IncomingMessage, response: ServerResponse) => void) =>
      createServer(
        {
          requestTimeout: config.http.requestTimeoutMs,
          headersTimeout: config.http.headersTimeoutMs,
          // How often Node looks for requests past those timeouts (its default is 30 s).
          connectionsCheckingInterval: 1000,
        },
        handler,
      ),
    // Requests Node refuses before routing (oversized headers, broken HTTP, timeouts) get a problem document.
    clientErrorHandler: clientErrorAnswer(securityHeaders),
    // Errors of Fastify's router (a path that is not valid URL encoding) likewise.
    frameworkErrors: (_error: Error, request: FastifyRequest, reply: FastifyReply) => {
      void reply
        .headers(securityHeaders)
        .header('X-Request-Id', request.id)
        .code(400)
        .type('application/problem+json')
        .send(JSON.stringify({ ...plainProblem(400, 'The path is not valid URL-encoded UTF-8.') }));
    },
    routerOptions: {
      ignoreTrailingSlash: true,
      // A route parameter of any length reaches its route, which names the parameter in a 400
      // (Fastify's own answer to a long one was a bare 414). URLs are bounded by the header limit.
      maxParamLength: 65_536,
    },
    // The id of the request in every log line, and in the X-Request-Id answer header.
    genReqId: requestId,
    // HEAD only where a route says so: /openapi.json lists every answer the service gives.
    exposeHeadRoutes: false,
  });
  const fastify = adapter.getInstance();
  // JSON only: without the text/plain parser, any other body is a 415 instead of a string, and so
  // is JSON in a charset other than UTF-8 (it would be read as UTF-8 and stored garbled).
  fastify.removeContentTypeParser('text/plain');
  // JSON as sent: __proto__ and constructor are data, and numbers a double would change are refused.
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    // First, so that every answer carries them, this hook's own 415 included.
    void reply.headers(securityHeaders).header('X-Request-Id', request.id);
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
      ownerDatabaseUrl: options.ownerDatabaseUrl,
      handlerModules: options.handlerModules,
      logDestination: options.logDestination,
    }),
    adapter,
    { bodyParser: false, bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  const logger = PinoLogger.root;
  fastify.addHook('onResponse', (request, reply, done) => {
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
  app.useGlobalFilters(new ProblemDetailsFilter(app.get(HttpAdapterHost), app.get(DatabaseOutage)));
  if (config.worker.role !== 'worker') {
    setUpOpenApi(app, config);
    serveDashboard(app);
  }
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
