import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_SECURITY } from '#conveyor/auth';
import type { ConveyorConfig } from '#conveyor/config';
import { JsonValueDocument, problemResponse } from '#conveyor/http';

type Schema = Record<string, unknown>;
type Operation = {
  parameters?: unknown[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses: Record<string, unknown>;
  security?: unknown[];
};

/** Answers any request can get, whatever its route: a slow client, oversized headers, a bug. */
const ANY_REQUEST = [408, 431, 500];
/** ... a request that may carry a body (a malformed one, too large, not JSON). */
const WITH_BODY = [400, 413, 415];
/** ... a request that reads the database: 503 while it is unavailable. */
const READS_DATABASE = [503];

const METHODS_WITH_BODY = new Set(['post', 'put', 'patch', 'delete']);

/**
 * The OpenAPI document of the running service: generated from the controllers and DTOs, then
 * finished (finishOpenApi) with what the generator cannot know. Served at /openapi.json, with a
 * UI at /docs. Every e2e test checks the answers it gets against it (test/support/contract.ts).
 */
export function setUpOpenApi(app: INestApplication, config: ConveyorConfig): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Conveyor')
      .setDescription(
        'A PostgreSQL-backed job service. Every /v1 route needs `Authorization: Bearer <api key>`; ' +
          'errors are RFC 9457 `application/problem+json` documents. Limits on input: docs/api.md.',
      )
      .setVersion('1')
      .setLicense('UNLICENSED', 'https://docs.npmjs.com/cli/configuring-npm/package-json#license')
      .addServer('/', 'This service')
      .addBearerAuth(
        { type: 'http', scheme: 'bearer', bearerFormat: 'cvk_ API key', description: 'An API key (cvk_...)' },
        API_KEY_SECURITY,
      )
      .build(),
    { extraModels: [JsonValueDocument] },
  );
  finishOpenApi(document, config);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
    customSiteTitle: 'Conveyor API',
  });
}

/** What the generator leaves out or gets wrong, put right in place. */
export function finishOpenApi(document: OpenAPIObject, config: ConveyorConfig): void {
  const schemas = (document.components?.schemas ?? {}) as Record<string, Schema>;
  schemas[JsonValueDocument.name] = {
    description: 'Any JSON value: an object, an array, a string, a number, a boolean or null.',
  };
  for (const schema of Object.values(schemas)) {
    inlineNullableReferences(schema, schemas);
    allowNullInNullableEnums(schema);
  }

  const requestSchemas = new Set<string>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item as Record<string, Operation>)) {
      // Probes and docs are open; saying so keeps a client from sending a key nobody asked for.
      operation.security ??= [];
      const statuses = [
        ...ANY_REQUEST,
        ...(METHODS_WITH_BODY.has(method) ? WITH_BODY : []),
        ...((operation.parameters ?? []).length > 0 ? [400] : []),
        ...(path === '/health/live' ? [] : READS_DATABASE),
      ];
      for (const status of statuses) operation.responses[String(status)] ??= problemResponse(status);
      const body = operation.requestBody?.content?.['application/json']?.schema;
      const name = body === undefined ? undefined : referencedName(body);
      if (operation.requestBody !== undefined && name !== undefined) {
        collectReferences(body, schemas, requestSchemas);
        // A body whose fields all have defaults may be left out (it means `{}`).
        const required = schemas[name]?.['required'];
        operation.requestBody.required = Array.isArray(required) && required.length > 0;
      }
    }
  }
  for (const name of requestSchemas) closeRequestSchema(schemas[name], config);
  // Schemas only nullable properties referred to were inlined there.
  const used = new Set<string>();
  collectReferences(document.paths, schemas, used);
  document.components = {
    ...document.components,
    schemas: Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name))),
  };
}

function referencedName(schema: Schema): string | undefined {
  const ref = schema['$ref'];
  return typeof ref === 'string' ? ref.split('/').at(-1) : undefined;
}

/** The names of every component schema `value` refers to, directly or through other schemas. */
function collectReferences(value: unknown, schemas: Record<string, Schema>, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectReferences(item, schemas, into);
  } else if (typeof value === 'object' && value !== null) {
    const name = referencedName(value as Schema);
    if (name !== undefined && !into.has(name) && schemas[name] !== undefined) {
      into.add(name);
      collectReferences(schemas[name], schemas, into);
    }
    for (const member of Object.values(value)) collectReferences(member, schemas, into);
  }
}

/**
 * A request DTO as the server reads it: unknown fields are refused (forbidNonWhitelisted), and a
 * lease may not exceed this instance's CONVEYOR_MAX_LEASE_SECONDS.
 */
function closeRequestSchema(schema: Schema | undefined, config: ConveyorConfig): void {
  if (schema === undefined || schema['type'] !== 'object') return;
  schema['additionalProperties'] ??= false;
  const leaseSeconds = (schema['properties'] as Record<string, Schema> | undefined)?.['leaseSeconds'];
  if (leaseSeconds !== undefined) leaseSeconds['maximum'] = config.jobs.maxLeaseSeconds;
}

/** OpenAPI 3.0.3: an `enum` lists every value allowed, so a nullable one must list null. */
function allowNullInNullableEnums(schema: Schema): void {
  for (const property of Object.values((schema['properties'] ?? {}) as Record<string, Schema>)) {
    const values = property['enum'];
    // A new array: the generator's is the application's own list (JOB_STATUSES).
    if (property['nullable'] === true && Array.isArray(values) && !values.includes(null)) {
      property['enum'] = [...(values as unknown[]), null];
    }
  }
}

/**
 * `{ nullable: true, allOf: [{ $ref }] }`, as the generator writes a nullable nested DTO, does not
 * accept null: the referenced schema's `type: object` refuses it. An inline copy with `nullable`
 * beside its own `type` does.
 */
function inlineNullableReferences(schema: Schema, schemas: Record<string, Schema>): void {
  const properties = (schema['properties'] ?? {}) as Record<string, Schema>;
  for (const [key, property] of Object.entries(properties)) {
    const allOf = property['allOf'];
    if (property['nullable'] !== true || !Array.isArray(allOf) || allOf.length !== 1) continue;
    const name = referencedName(allOf[0] as Schema);
    const target = name === undefined ? undefined : schemas[name];
    if (target === undefined) continue;
    const inline: Schema = { ...structuredClone(target), ...property, nullable: true };
    delete inline['allOf'];
    inline['type'] = target['type'];
    properties[key] = inline;
  }
}
