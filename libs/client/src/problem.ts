import type { components } from './generated/api.js';

/** An RFC 9457 problem document, as every error of the service is (docs/api.md#problem-types). */
export type Problem = components['schemas']['ProblemDocument'] & Record<string, unknown>;

/**
 * The service refused a request: `problem` is its answer, typed. `type` tells the cases apart
 * (`urn:conveyor:problem:lease-lost`, ...); `retryAfterSeconds` is set when the service said when
 * to come back (429, 503) and the client's retries ran out.
 */
export class ConveyorProblem extends Error {
  readonly status: number;
  readonly type: string;

  constructor(
    readonly problem: Problem,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(`${problem.status} ${problem.title} ${problem.detail}`);
    this.name = 'ConveyorProblem';
    this.status = problem.status;
    this.type = problem.type;
  }

  /** `type` without its `urn:conveyor:problem:` prefix: `lease-lost`, `validation-error`, ... */
  get kind(): string {
    return this.type.replace(/^urn:conveyor:problem:/, '');
  }
}

/** The problem an answer carries; a body that is not one (a proxy's HTML page) becomes one. */
export function problemOf(body: unknown, response: Response): ConveyorProblem {
  const problem: Problem = isProblem(body)
    ? body
    : {
        type: 'about:blank',
        title: response.statusText || 'Unexpected answer',
        status: response.status,
        detail: `${response.status} from ${response.url} without a problem document`,
      };
  return new ConveyorProblem(problem, retryAfterSeconds(response));
}

function isProblem(body: unknown): body is Problem {
  if (typeof body !== 'object' || body === null) return false;
  const { type, title, status, detail } = body as Record<string, unknown>;
  return (
    typeof type === 'string' &&
    typeof title === 'string' &&
    typeof status === 'number' &&
    typeof detail === 'string'
  );
}

/** Retry-After in seconds (delta-seconds or an HTTP date); null when absent or unreadable. */
export function retryAfterSeconds(response: Response): number | null {
  const value = response.headers.get('Retry-After');
  if (value === null) return null;
  if (/^\d+$/.test(value.trim())) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, (at - Date.now()) / 1000);
}
