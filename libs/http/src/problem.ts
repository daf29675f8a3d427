import { HttpException, HttpStatus } from '@nestjs/common';

/** An RFC 9457 problem document. Extension members (e.g. `errors`) sit beside the standard ones. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

/** Problem types Conveyor defines; anything else is `about:blank` with the HTTP status as title. */
export function problemType(slug: string): string {
  return `urn:conveyor:problem:${slug}`;
}

/** Throw this from anywhere in a request to answer with exactly this problem. */
export class ProblemException extends HttpException {
  /** Response headers that go with the problem (WWW-Authenticate, Retry-After); not in the body. */
  readonly headers: Record<string, string> = {};

  constructor(readonly problem: Problem) {
    super(problem, problem.status);
  }

  withHeader(name: string, value: string): this {
    this.headers[name] = value;
    return this;
  }

  static of(
    status: HttpStatus,
    slug: string,
    title: string,
    detail?: string,
    extensions: Record<string, unknown> = {},
  ): ProblemException {
    return new ProblemException({
      type: problemType(slug),
      title,
      status,
      ...(detail === undefined ? {} : { detail }),
      ...extensions,
    });
  }
}
