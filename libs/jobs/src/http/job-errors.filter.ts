import { Catch, HttpStatus } from '@nestjs/common';
import {
  type FieldError,
  type Problem,
  ProblemDetailsFilter,
  ProblemException,
  validationProblem,
} from '#conveyor/http';
import {
  IdempotencyConflictError,
  InvalidBatchError,
  InvalidCursorError,
  InvalidJobFieldError,
  InvalidPayloadError,
  JobConflictError,
  type JobConflictReason,
  JobNotFoundError,
  JobRefusedError,
  NamespaceFullError,
  TooManyWaitersError,
  UnknownJobTypeError,
  InvalidWorkflowError,
  WorkflowBusyError,
  WorkflowKeyConflictError,
  WorkflowNotFoundError,
} from '../domain/job.errors.js';

/** A guess, not a promise: how long workers take to make room depends on them. */
const NAMESPACE_FULL_RETRY_SECONDS = 5;

/** The fields a submit's input error names, relative to the submit. */
function submitFieldErrors(error: unknown): FieldError[] | undefined {
  if (error instanceof InvalidPayloadError) {
    return error.fields.map((field) => ({ field: `payload.${field.field}`, messages: field.messages }));
  }
  if (error instanceof InvalidJobFieldError) return [{ field: error.field, messages: [error.message] }];
  if (error instanceof UnknownJobTypeError) return [{ field: 'type', messages: [error.message] }];
  return undefined;
}

/** The problem type and title of each reason for a 409. */
const CONFLICTS: Record<JobConflictReason, [type: string, title: string]> = {
  illegal_transition: ['illegal-transition', 'The job is not in a state that allows this.'],
  lease_mismatch: ['lease-lost', 'You no longer hold this job.'],
  lease_expired: ['lease-lost', 'You no longer hold this job.'],
  cancelled: ['lease-lost', 'You no longer hold this job.'],
  busy: ['job-busy', 'The job is busy; try again.'],
};

/** The problem document for one of the jobs library's errors; undefined for anything else. */
export function jobProblem(error: unknown): Problem | undefined {
  if (error instanceof JobNotFoundError) {
    return ProblemException.of(HttpStatus.NOT_FOUND, 'job-not-found', 'Job not found.', error.message, {
      jobId: error.jobId,
    }).problem;
  }
  if (error instanceof JobConflictError) {
    const [type, title] = CONFLICTS[error.reason];
    return ProblemException.of(
      HttpStatus.CONFLICT,
      type,
      title,
      `${error.message} (current status: ${error.currentStatus})`,
      { jobId: error.jobId, currentStatus: error.currentStatus, reason: error.reason },
    ).problem;
  }
  if (error instanceof IdempotencyConflictError) {
    return ProblemException.of(
      HttpStatus.UNPROCESSABLE_ENTITY,
      'idempotency-key-reused',
      'This idempotency key was already used for a different job.',
      'The same key was submitted with a different type, queue or payload; nothing was changed.',
      { idempotencyKey: error.idempotencyKey, existingJobId: error.existingJobId },
    ).problem;
  }
  if (error instanceof NamespaceFullError) {
    return ProblemException.of(
      HttpStatus.TOO_MANY_REQUESTS,
      'namespace-full',
      'The namespace holds as many waiting jobs as it may.',
      `${error.message}; submit again once workers have caught up.`,
      { limit: error.limit, retryAfterSeconds: NAMESPACE_FULL_RETRY_SECONDS },
    ).problem;
  }
  if (error instanceof TooManyWaitersError) {
    return ProblemException.of(
      HttpStatus.TOO_MANY_REQUESTS,
      'too-many-waiters',
      'This instance holds as many waits as it may.',
      `${error.message}; or ask without wait.`,
      { limit: error.limit, retryAfterSeconds: 1 },
    ).problem;
  }
  const fields = submitFieldErrors(error);
  if (fields !== undefined) return validationProblem(fields).problem;
  if (error instanceof InvalidBatchError) {
    return validationProblem(
      error.items.flatMap(({ index, error: itemError }) =>
        (submitFieldErrors(itemError) ?? []).map((field) => ({
          ...field,
          field: `${error.collection}.${index}.${field.field}`,
        })),
      ),
    ).problem;
  }
  if (error instanceof JobRefusedError) {
    return ProblemException.of(
      HttpStatus.BAD_REQUEST,
      'job-refused',
      'The database refused to store this job.',
      `${error.message}; nothing of it was written.`,
      { sqlState: error.sqlState },
    ).problem;
  }
  if (error instanceof InvalidWorkflowError) {
    return validationProblem(
      error.problems.map((problem) => ({ field: problem.field, messages: [problem.message] })),
    ).problem;
  }
  if (error instanceof WorkflowNotFoundError) {
    return ProblemException.of(
      HttpStatus.NOT_FOUND,
      'workflow-not-found',
      'Workflow not found.',
      error.message,
      { workflowId: error.workflowId },
    ).problem;
  }
  if (error instanceof WorkflowKeyConflictError) {
    return ProblemException.of(
      HttpStatus.UNPROCESSABLE_ENTITY,
      'idempotency-key-reused',
      'This idempotency key was already used for a different workflow.',
      'The same key was submitted with other nodes or another name; nothing was changed.',
      { idempotencyKey: error.idempotencyKey, existingWorkflowId: error.existingWorkflowId },
    ).problem;
  }
  if (error instanceof WorkflowBusyError) {
    return ProblemException.of(
      HttpStatus.CONFLICT,
      'workflow-busy',
      'Some nodes of the workflow are busy; try again.',
      error.message,
      { workflowId: error.workflowId, busy: error.busy },
    ).problem;
  }
  if (error instanceof InvalidCursorError) {
    return ProblemException.of(
      HttpStatus.BAD_REQUEST,
      'invalid-cursor',
      'The cursor is not valid.',
      error.message,
    ).problem;
  }
  return undefined;
}

/** Maps the jobs library's domain errors to problem documents; everything else as usual. */
@Catch()
export class JobErrorsFilter extends ProblemDetailsFilter {
  protected override problemFor(error: unknown): Problem {
    return jobProblem(error) ?? super.problemFor(error);
  }
}
