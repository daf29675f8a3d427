import type { JobStatus } from './job-status.js';

/** The job does not exist (or is not visible to the caller). */
export class JobNotFoundError extends Error {
  constructor(readonly jobId: string) {
    super(`job ${jobId} not found`);
    this.name = 'JobNotFoundError';
  }
}

/**
 * Why: the move is not legal from the job's status; another lease holds it; the lease ran out; the
 * job was cancelled under this lease; or (busy) a running job's handler did not let go of it in
 * time for a cancel.
 */
export type JobConflictReason =
  'illegal_transition' | 'lease_mismatch' | 'lease_expired' | 'cancelled' | 'busy';

/** The request is well-formed but the job's current state forbids it. */
export class JobConflictError extends Error {
  constructor(
    readonly jobId: string,
    readonly reason: JobConflictReason,
    readonly currentStatus: JobStatus,
    message: string,
  ) {
    super(message);
    this.name = 'JobConflictError';
  }
}

/** An explicit idempotency key was reused with a different type, queue or payload. */
export class IdempotencyConflictError extends Error {
  constructor(
    readonly idempotencyKey: string,
    readonly existingJobId: string,
  ) {
    super(`idempotency key "${idempotencyKey}" was already used for a different job`);
    this.name = 'IdempotencyConflictError';
  }
}

/** This instance already holds as many long polls as it allows (CONVEYOR_MAX_WAITERS). */
export class TooManyWaitersError extends Error {
  constructor(readonly limit: number) {
    super(`this instance already holds ${limit} waits; try again shortly`);
    this.name = 'TooManyWaitersError';
  }
}

/** A list cursor that this service did not issue. */
export class InvalidCursorError extends Error {
  constructor() {
    super('the cursor is not valid; use nextCursor from a previous page');
    this.name = 'InvalidCursorError';
  }
}

/** The payload does not satisfy the schema of the type's in-process handler. */
export class InvalidPayloadError extends Error {
  constructor(
    readonly type: string,
    readonly fields: readonly { field: string; messages: string[] }[],
  ) {
    super(`payload is not valid for job type "${type}"`);
    this.name = 'InvalidPayloadError';
  }
}

/** No handler is registered for the type and the service is configured to refuse such types. */
export class UnknownJobTypeError extends Error {
  constructor(readonly type: string) {
    super(`no handler is registered for job type "${type}"`);
    this.name = 'UnknownJobTypeError';
  }
}

/** A submit field that is well-formed alone but not with the others (e.g. a backoff cap below its base). */
export class InvalidJobFieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidJobFieldError';
  }
}

/** The namespace holds as many waiting jobs as CONVEYOR_MAX_PENDING_PER_NAMESPACE allows. */
export class NamespaceFullError extends Error {
  constructor(
    readonly namespace: string,
    readonly limit: number,
  ) {
    super(`namespace "${namespace}" already holds ${limit} waiting jobs, its limit`);
    this.name = 'NamespaceFullError';
  }
}

/** Some jobs of a batch submit are not valid: the batch is refused whole, and nothing is written. */
export class InvalidBatchError extends Error {
  constructor(
    readonly items: readonly { index: number; error: Error }[],
    /** The request's array the indexes are of: `jobs` (a batch) or `nodes` (a workflow). */
    readonly collection: 'jobs' | 'nodes' = 'jobs',
  ) {
    super(`${items.length} job(s) of the ${collection === 'jobs' ? 'batch' : 'workflow'} are not valid`);
    this.name = 'InvalidBatchError';
  }
}

/**
 * PostgreSQL refused to store a job whose input passed validation (a value outside a column's range,
 * say). The job is answered 400 on its own, and nothing of it is written; in a batch, its neighbours
 * are written as if it had not been sent. `sqlState` names the refusal; the database's message,
 * which may quote the input, is not passed on.
 */
export class JobRefusedError extends Error {
  constructor(readonly sqlState: string) {
    super(`the database refused to store the job (SQLSTATE ${sqlState})`);
    this.name = 'JobRefusedError';
  }
}

/** One thing wrong with a submitted workflow, at a field path of the request. */
export interface WorkflowProblem {
  readonly field: string;
  readonly message: string;
}

/** A workflow that is not a DAG over its own nodes, or too large (domain/workflow.ts). Nothing was written. */
export class InvalidWorkflowError extends Error {
  constructor(readonly problems: readonly WorkflowProblem[]) {
    super(problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '));
    this.name = 'InvalidWorkflowError';
  }
}

export class WorkflowNotFoundError extends Error {
  constructor(readonly workflowId: string) {
    super(`workflow ${workflowId} not found`);
    this.name = 'WorkflowNotFoundError';
  }
}

/** The workflow's idempotency key is held by a workflow with other content. Nothing was written. */
export class WorkflowKeyConflictError extends Error {
  constructor(
    readonly idempotencyKey: string,
    readonly existingWorkflowId: string,
  ) {
    super(
      `idempotency key "${idempotencyKey}" is held by workflow ${existingWorkflowId}, with other content`,
    );
    this.name = 'WorkflowKeyConflictError';
  }
}

/**
 * Some of the workflow's nodes were held (an in-process handler's transaction that did not let go
 * in time) and are not cancelled yet; the others are. Cancelling again finishes the job.
 */
export class WorkflowBusyError extends Error {
  constructor(
    readonly workflowId: string,
    readonly busy: number,
  ) {
    super(`${busy} node(s) of workflow ${workflowId} were busy and are not cancelled yet; try again`);
    this.name = 'WorkflowBusyError';
  }
}
