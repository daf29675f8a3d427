import type { CommandBus } from '@nestjs/cqrs';
import { ProblemException, validateBody } from '#conveyor/http';
import { SubmitJobsCommand } from '../application/commands/submit-jobs/submit-jobs.command.js';
import { SubmitWorkflowCommand } from '../application/commands/submit-workflow/submit-workflow.command.js';
import type { JobView } from '../application/job-view.js';
import type { JobTransaction } from '../application/ports/job-store.js';
import type { WorkflowView } from '../application/workflow-view.js';
import type { BackoffPolicy } from '../domain/backoff.js';
import type { FailurePolicy } from '../domain/workflow.js';
import { SubmitJobsBody } from './dto/batch.body.js';
import { submitInput, workflowInput } from './dto/inputs.js';
import { SubmitWorkflowBody } from './dto/workflow.body.js';

/** A job submitted from an in-process handler: what POST /v1/jobs takes (runAt also as a Date). */
export interface JobSubmission {
  type: string;
  payload: Record<string, unknown>;
  queue?: string;
  priority?: number;
  runAt?: Date | string;
  maxAttempts?: number;
  backoff?: Partial<BackoffPolicy> & Pick<BackoffPolicy, 'type'>;
  idempotencyKey?: string;
  dedupeWindowSeconds?: number;
  concurrencyKey?: string;
  callbackUrl?: string;
}

/** A workflow submitted from an in-process handler: what POST /v1/workflows takes. */
export interface WorkflowSubmission {
  name?: string;
  idempotencyKey?: string;
  onParentFailure?: FailurePolicy;
  nodes: (Omit<JobSubmission, 'idempotencyKey' | 'dedupeWindowSeconds'> & {
    ref: string;
    dependsOn?: (string | { ref: string; onFailure?: FailurePolicy })[];
  })[];
}

/** A submission the REST API would have answered 400: what is wrong, field by field. */
export class InvalidSubmissionError extends Error {
  constructor(readonly fields: readonly { field: string; messages: readonly string[] }[]) {
    super(
      `invalid submission: ${fields.map((field) => `${field.field}: ${field.messages.join(', ')}`).join('; ')}`,
    );
    this.name = 'InvalidSubmissionError';
  }
}

/** The body as JSON would carry it (dates as RFC 3339 text), then checked by the REST API's own DTO. */
async function validated<T extends object>(dto: abstract new () => T, body: unknown): Promise<T> {
  try {
    return await validateBody(dto, JSON.parse(JSON.stringify(body)) as unknown);
  } catch (error) {
    if (!(error instanceof ProblemException)) throw error;
    const { errors } = error.problem as { errors?: { field: string; messages: string[] }[] };
    throw new InvalidSubmissionError(errors ?? [{ field: 'body', messages: [error.message] }]);
  }
}

/**
 * Submits from an in-process handler (context.submit), inside the job's own transaction: validated
 * as the REST API validates (the same DTOs, InvalidSubmissionError for what it would answer 400),
 * keyed as it keys, and written so that they exist if and only if the job completes.
 */
export async function submitJobsInTransaction(
  commandBus: CommandBus,
  namespace: string,
  jobs: readonly JobSubmission[],
  transaction: JobTransaction,
): Promise<JobView[]> {
  const body = await validated(SubmitJobsBody, { jobs });
  const outcomes = await commandBus.execute(
    new SubmitJobsCommand(
      body.jobs.map((job) => submitInput(namespace, job, job.idempotencyKey ?? null)),
      transaction,
    ),
  );
  return outcomes.map((outcome) => {
    if (outcome.outcome === 'refused') throw outcome.error;
    return outcome.job;
  });
}

export async function submitWorkflowInTransaction(
  commandBus: CommandBus,
  namespace: string,
  workflow: WorkflowSubmission,
  transaction: JobTransaction,
): Promise<WorkflowView> {
  const body = await validated(SubmitWorkflowBody, workflow);
  const { workflow: view } = await commandBus.execute(
    new SubmitWorkflowCommand(workflowInput(namespace, body, body.idempotencyKey ?? null), transaction),
  );
  return view;
}
