import type { INestApplication } from '@nestjs/common';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import type { App } from 'supertest/types.js';

// ajv-formats is CommonJS: its default export arrives wrapped.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

type Schema = Record<string, unknown>;
interface Document {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>
  >;
  components?: Record<string, unknown>;
}

/** An answer the service gave, as Fastify sent it. */
interface Sent {
  method: string;
  /** The route as Fastify matched it (`/v1/jobs/:id`); undefined when no route matched. */
  route: string | undefined;
  url: string;
  status: number;
  contentType: string;
  body: string;
}

/** Paths the service serves that are not its API: the document itself, its UI, and the dashboard. */
const OUTSIDE_THE_API = /^\/(docs|openapi\.(json|yaml)|dashboard)(\/|$)/;

/**
 * Holds every answer of an instance to its own /openapi.json: each status the route gave is
 * documented for it, the content type is one the document names, and the body matches the schema.
 * An answer of no route (404 for an unknown path) must at least be a 4xx problem document. test/support
 * installs one on every instance it starts and fails the test file when it closes with violations,
 * so a route cannot ship undocumented, and a document cannot promise what the service does not do.
 */
export class ContractCheck {
  private document: Document | undefined;
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly sent: Sent[] = [];
  readonly violations: string[] = [];

  constructor() {
    addFormats(this.ajv);
  }

  /** Records every answer of `app`; call before app.init(). */
  install(app: INestApplication): void {
    const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
    fastify.addHook('onSend', (request, reply, payload, done) => {
      this.sent.push({
        method: request.method.toLowerCase(),
        route: request.routeOptions.url,
        url: request.url,
        status: reply.statusCode,
        contentType: String(reply.getHeader('content-type') ?? ''),
        body:
          typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '',
      });
      done(null, payload);
    });
  }

  /** Reads the document the instance serves; an instance that serves none (worker role) is not checked. */
  async load(app: INestApplication): Promise<void> {
    const response = await request(app.getHttpServer() as App).get('/openapi.json');
    this.sent.length = 0;
    if (response.status === 200) this.document = response.body as Document;
  }

  /** Checks what was sent since the last call; returns every violation found so far. */
  check(): string[] {
    for (const sent of this.sent.splice(0)) {
      const violation = this.violation(sent);
      if (violation !== null)
        this.violations.push(`${sent.method.toUpperCase()} ${sent.url} → ${sent.status}: ${violation}`);
    }
    return this.violations;
  }

  private violation(sent: Sent): string | null {
    // CORS preflights are the browser's, not operations of the API.
    if (this.document === undefined || sent.method === 'options') return null;
    if (sent.route === undefined || OUTSIDE_THE_API.test(sent.route)) {
      if (sent.route !== undefined) return null;
      // No route: a 404, or a 4xx of what Fastify read before it looked (the body's JSON, say).
      return sent.status >= 400 &&
        sent.status < 500 &&
        sent.contentType.startsWith('application/problem+json')
        ? null
        : 'an answer of no route that is not a 4xx problem document';
    }
    const path = sent.route.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const operation = this.document.paths[path]?.[sent.method];
    if (operation === undefined) return `${sent.method.toUpperCase()} ${path} is not in the document`;
    const response = operation.responses[String(sent.status)];
    if (response === undefined) return `status ${sent.status} is not documented for ${path}`;
    const mediaType = sent.contentType.split(';')[0]?.trim() ?? '';
    if (response.content === undefined) {
      return sent.body === '' ? null : `documented without a body, sent ${sent.body.slice(0, 200)}`;
    }
    const content = response.content[mediaType];
    if (content === undefined) {
      return `content type "${mediaType}" is not documented (${Object.keys(response.content).join(', ')})`;
    }
    if (!mediaType.endsWith('json')) return null;
    let body: unknown;
    try {
      body = JSON.parse(sent.body);
    } catch {
      return `the body is not JSON: ${sent.body.slice(0, 200)}`;
    }
    const validate = this.validator(`${path} ${sent.method} ${sent.status} ${mediaType}`, content.schema);
    if (validate(body)) return null;
    return `the body does not match its schema: ${this.ajv.errorsText(validate.errors)} in ${sent.body.slice(0, 300)}`;
  }

  private validator(key: string, schema: Schema): ValidateFunction {
    let validate = this.validators.get(key);
    if (validate === undefined) {
      // The components ride along, so that the schema's `#/components/...` references resolve.
      validate = this.ajv.compile({ ...schema, components: this.document?.components });
      this.validators.set(key, validate);
    }
    return validate;
  }
}
