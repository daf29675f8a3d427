import type { INestApplication, Type } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { ConveyorConfig } from '#conveyor/config';
import { createValidationPipe, JsonGuardPipe, jsonBodiesOnly, ProblemDetailsFilter } from '#conveyor/http';
import { AppModule } from './app.module.js';
import { answerClientErrors } from './client-errors.js';
import { setUpOpenApi } from './openapi.js';

export interface CreateAppOptions {
  /** Extra modules with @JobHandler providers (tests, or a team's own entry point). */
  handlerModules?: Type[];
  /** Where log lines go; stdout by default. */
  logDestination?: DestinationStream;
}

/** The whole HTTP application, configured the same way for `main.ts` and for the e2e tests. */
export async function createApp(
  config: ConveyorConfig,
  databaseUrl: string,
  options: CreateAppOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot({
      config,
      databaseUrl,
      handlerModules: options.handlerModules,
      logDestination: options.logDestination,
    }),
    { bodyParser: false, bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  app.use(jsonBodiesOnly);
  app.useBodyParser('json', {
    limit: config.bodyLimitBytes,
    type: ['application/json', 'application/*+json'],
  });
  app.disable('x-powered-by');
  // Not `upgrade-insecure-requests`: inside a cluster the service is often reached over plain HTTP,
  // and the upgrade would break the /docs page's own scripts there.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
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
  answerClientErrors(app.getHttpServer());
  return app;
}
