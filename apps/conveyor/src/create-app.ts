import type { INestApplication, Type } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { ConveyorConfig } from '#conveyor/config';
import { createValidationPipe, JsonGuardPipe, ProblemDetailsFilter } from '#conveyor/http';
import { AppModule } from './app.module.js';

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
  app.useBodyParser('json', {
    limit: config.bodyLimitBytes,
    type: ['application/json', 'application/*+json'],
  });
  app.disable('x-powered-by');
  app.useGlobalPipes(new JsonGuardPipe(), createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter(app.get(HttpAdapterHost)));
  return app;
}
