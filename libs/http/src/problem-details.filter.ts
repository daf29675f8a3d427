import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { STATUS_CODES } from 'node:http';
import { type Problem, ProblemException } from './problem.js';

function plain(status: number, detail?: string): Problem {
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    ...(detail === undefined ? {} : { detail }),
  };
}

/**
 * Turns every error into an RFC 9457 `application/problem+json` answer. Nothing from the error
 * itself (message, stack, SQL) reaches the body unless it was written for the client: unexpected
 * errors become a bare 500 and are logged here instead.
 */
export function toProblem(error: unknown): Problem {
  if (error instanceof ProblemException) return error.problem;
  if (error instanceof HttpException) {
    const status = error.getStatus();
    // Nest's built-in exceptions carry client-facing messages ("Cannot POST /x", the JSON parser's
    // complaint about a malformed body); 5xx messages are not for clients.
    const response = error.getResponse();
    const message =
      typeof response === 'object' && 'message' in response && typeof response.message === 'string'
        ? response.message
        : undefined;
    if (status === 415) {
      return {
        type: 'urn:conveyor:problem:unsupported-media-type',
        title: 'The body must be JSON.',
        status,
        detail: 'Send the body with Content-Type: application/json.',
      };
    }
    return plain(status, status < 500 ? message : undefined);
  }
  return plain(500);
}

/**
 * The one writer of error responses. A feature library that has errors of its own extends it and
 * overrides `problemFor` (see the jobs library's JobErrorsFilter).
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  protected problemFor(error: unknown): Problem {
    return toProblem(error);
  }

  catch(error: unknown, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const context = host.switchToHttp();
    const request: unknown = context.getRequest();
    const response: unknown = context.getResponse();
    const problem = this.problemFor(error);
    const url = httpAdapter.getRequestUrl(request) as string;
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
