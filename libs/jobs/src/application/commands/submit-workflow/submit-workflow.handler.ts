import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { newJobId } from '../../../domain/job-id.js';
import { InvalidBatchError, WorkflowNotFoundError } from '../../../domain/job.errors.js';
import { checkWorkflow, workflowFingerprint } from '../../../domain/workflow.js';
import { JobLifecycle } from '../../lifecycle/job-lifecycle.js';
import { currentTraceparent, isSubmitInputError, NewJobs } from '../../new-jobs.js';
import type { NewWorkflowNode } from '../../ports/job-store.js';
import { WORKFLOW_READS, type WorkflowReads } from '../../ports/workflow-reads.js';
import { nodeView, workflowView } from '../../workflow-view.js';
import { SubmitWorkflowCommand, type SubmitWorkflowResult } from './submit-workflow.command.js';

@CommandHandler(SubmitWorkflowCommand)
export class SubmitWorkflowHandler implements ICommandHandler<SubmitWorkflowCommand> {
  constructor(
    private readonly newJobs: NewJobs,
    private readonly lifecycle: JobLifecycle,
    @Inject(WORKFLOW_READS) private readonly reads: WorkflowReads,
  ) {}

  async execute({ input, transaction }: SubmitWorkflowCommand): Promise<SubmitWorkflowResult> {
    // Each dependency with its policy: its own, or the workflow's.
    const planned = input.nodes.map((node) => ({
      node,
      dependsOn: node.dependsOn.map(({ ref, onFailure }) => ({
        ref,
        onFailure: onFailure ?? input.onParentFailure,
      })),
    }));
    checkWorkflow({
      refs: planned.map(({ node }) => node.ref),
      dependsOn: planned.map((entry) => entry.dependsOn),
    });

    const id = newJobId();
    const traceparent = currentTraceparent();
    const nodes: NewWorkflowNode[] = [];
    const invalid: { index: number; error: Error }[] = [];
    planned.forEach(({ node, dependsOn }, index) => {
      try {
        const job = this.newJobs.prepare(
          // A node's key is its place in its workflow; the workflow's key is what dedupes.
          {
            ...node,
            namespace: input.namespace,
            idempotencyKey: `workflow:${id}/${node.ref}`,
            dedupeWindowSeconds: null,
          },
          traceparent,
        );
        nodes.push(Object.assign(job, { ref: node.ref, dependsOn }));
      } catch (error) {
        if (!isSubmitInputError(error)) throw error;
        invalid.push({ index, error });
      }
    });
    if (invalid.length > 0) throw new InvalidBatchError(invalid, 'nodes');

    const outcome = await this.lifecycle.submitWorkflow(
      {
        id,
        namespace: input.namespace,
        name: input.name,
        idempotencyKey: input.idempotencyKey,
        fingerprint: workflowFingerprint(input.name, nodes),
        nodes,
      },
      transaction,
    );
    if (outcome.created) {
      return {
        created: true,
        workflow: workflowView({
          id,
          namespace: input.namespace,
          name: input.name,
          idempotencyKey: input.idempotencyKey,
          createdAt: outcome.createdAt,
          nodes: outcome.nodes.map((job, index) =>
            nodeView(
              job,
              (nodes[index]?.dependsOn ?? []).map((dependency) => dependency.ref),
            ),
          ),
        }),
      };
    }
    const existing = await this.reads.get(input.namespace, outcome.workflowId);
    if (existing === null) throw new WorkflowNotFoundError(outcome.workflowId);
    return { created: false, workflow: existing };
  }
}
