import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
  Optional,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { STATUS_CODES } from 'node:http';
import { DatabaseOutage, isDatabaseUnavailable } from '#conveyor/database';
import { type Problem, ProblemException, problemType } from './problem.js';

/** What a problem says when nothing more specific is known: every problem has a `detail`. */
const DETAILS: Record<number, string> = {
  400: 'The request is malformed.',
  404: 'There is nothing at this path.',
  405: 'This path does not take this method.',
  408: 'The request was not received in time.',
  413: 'The body is larger than this service accepts (CONVEYOR_BODY_LIMIT_BYTES).',
  415: 'Send the body with Content-Type: application/json, in UTF-8.',
  500: 'An unexpected error; it was logged with this request id (X-Request-Id).',
};

/** A problem with the HTTP status as its title; `detail` from the error when it was written for clients. */
export function plainProblem(status: number, detail?: string): Problem {
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail: detail ?? DETAILS[status] ?? STATUS_CODES[status] ?? 'Error.',
  };
}

/** A client-facing message of a Nest or Fastify HttpException; undefined for 5xx and for none. */
function clientMessage(error: HttpException, status: number): string | undefined {
  if (status >= 500) return undefined;
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  return typeof response === 'object' && 'message' in response && typeof response.message === 'string'
    ? response.message
    : undefined;
}

/**
 * Turns every error into an RFC 9457 `application/problem+json` answer. Nothing from the error
 * itself (message, stack, SQL) reaches the body unless it was written for the client: unexpected
 * errors become a bare 500 and are logged by the filter instead.
 */
export function toProblem(error: unknown): Problem {
  if (error instanceof ProblemException) return error.problem;
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status === 415) {
      return {
        type: problemType('unsupported-media-type'),
        title: 'The body must be JSON.',
        status,
        detail: DETAILS[status] ?? '',
      };
    }
    // 413 is Fastify's, worded for its own log; ours says which setting it is.
    return plainProblem(status, status === 413 ? undefined : clientMessage(error, status));
  }
  return plainProblem(500);
}

/**
 * The one writer of error responses. A feature library that has errors of its own extends it and
 * overrides `problemFor` (see the jobs library's JobErrorsFilter).
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    // Absent only where no database is configured (unit tests of a filter).
    @Optional() private readonly outage?: DatabaseOutage,
  ) {}

  protected problemFor(error: unknown): Problem {
    return toProblem(error);
  }

  catch(error: unknown, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const context = host.switchToHttp();
    const request: unknown = context.getRequest();
    const response: unknown = context.getResponse();
    const url = httpAdapter.getRequestUrl(request) as string;
    let problem: Problem;
    if (!(error instanceof HttpException) && isDatabaseUnavailable(error)) {
      // An outage, not a bug: the client may come back, and the outage is logged once, not per request.
      this.outage?.refused(error);
      problem = ProblemException.of(
        HttpStatus.SERVICE_UNAVAILABLE,
        'database-unavailable',
        'The database is unavailable.',
        'The service cannot reach its database right now; nothing was changed. Try again later.',
        { retryAfterSeconds: this.outage?.retryAfterSeconds ?? 1 },
      ).problem;
    } else {
      problem = this.problemFor(error);
      // Problems we answer on purpose (503 not ready, ...) are not errors of ours; anything else is.
      if (problem.status >= 500 && !(error instanceof HttpException)) {
        // With the request, so that the X-Request-Id a client quotes leads to the stack.
        const req = {
          id: (request as { id?: unknown }).id,
          method: httpAdapter.getRequestMethod(request) as unknown,
          url,
        };
        this.logger.error({ req }, error instanceof Error ? error.stack : String(error));
      }
    }
    problem.instance ??= url;
    // Problems that tell the client when to come back (429, 503) say it in the header too.
    if (typeof problem['retryAfterSeconds'] === 'number') {
      httpAdapter.setHeader(response, 'Retry-After', String(problem['retryAfterSeconds']));
    }
    if (error instanceof ProblemException) {
      for (const [name, value] of Object.entries(error.headers)) httpAdapter.setHeader(response, name, value);
    }
    httpAdapter.setHeader(response, 'Content-Type', 'application/problem+json');
    httpAdapter.reply(response, problem, problem.status);
  }
}
