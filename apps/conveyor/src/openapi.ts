import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_SECURITY } from '#conveyor/auth';

/** The OpenAPI document, generated from the controllers and DTOs, at /openapi.json; its UI at /docs. */
export function setUpOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Conveyor')
      .setDescription(
        'A PostgreSQL-backed job service. Every /v1 route needs `Authorization: Bearer <api key>`; ' +
          'errors are RFC 9457 `application/problem+json` documents.',
      )
      .setVersion('1')
      .addBearerAuth(
        { type: 'http', scheme: 'bearer', description: 'An API key (cvk_...)' },
        API_KEY_SECURITY,
      )
      .build(),
  );
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
    customSiteTitle: 'Conveyor API',
  });
}
