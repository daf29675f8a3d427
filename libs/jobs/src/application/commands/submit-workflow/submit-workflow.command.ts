import { Command } from '@nestjs/cqrs';
import type { FailurePolicy } from '../../../domain/workflow.js';
import type { JobTransaction } from '../../ports/job-store.js';
import type { WorkflowView } from '../../workflow-view.js';
import type { SubmitJobInput } from '../submit-job/submit-job.command.js';

/** One node: a job as a submit describes it (its key is the workflow's), its ref and what it waits for. */
export interface WorkflowNodeInput extends Omit<
  SubmitJobInput,
  'namespace' | 'idempotencyKey' | 'dedupeWindowSeconds'
> {
  ref: string;
  /** The refs of the nodes it depends on, each with its own failure policy or the workflow's (null). */
  dependsOn: readonly { ref: string; onFailure: FailurePolicy | null }[];
}

export interface SubmitWorkflowInput {
  namespace: string;
  name: string | null;
  /** A replay with the same key and content answers the same workflow; null: always a new one. */
  idempotencyKey: string | null;
  /** What a node does when a job it depends on is dead-lettered or cancelled, unless its dependency says. */
  onParentFailure: FailurePolicy;
  nodes: readonly WorkflowNodeInput[];
}

export interface SubmitWorkflowResult {
  /** false: the key was already held by this same workflow, which is answered as it is now. */
  created: boolean;
  workflow: WorkflowView;
}

/**
 * Submits a workflow, all or nothing (docs/workflows.md). With `transaction`, inside an in-process
 * handler's transaction (context.submit): it exists if and only if that job completes.
 */
export class SubmitWorkflowCommand extends Command<SubmitWorkflowResult> {
  constructor(
    readonly input: SubmitWorkflowInput,
    readonly transaction?: JobTransaction,
  ) {
    super();
  }
}
