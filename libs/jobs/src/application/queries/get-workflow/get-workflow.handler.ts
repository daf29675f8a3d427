import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { WorkflowNotFoundError } from '../../../domain/job.errors.js';
import { WORKFLOW_READS, type WorkflowReads } from '../../ports/workflow-reads.js';
import type { WorkflowView } from '../../workflow-view.js';
import { GetWorkflowQuery } from './get-workflow.query.js';

@QueryHandler(GetWorkflowQuery)
export class GetWorkflowHandler implements IQueryHandler<GetWorkflowQuery> {
  constructor(@Inject(WORKFLOW_READS) private readonly reads: WorkflowReads) {}

  async execute({ namespace, id }: GetWorkflowQuery): Promise<WorkflowView> {
    const workflow = await this.reads.get(namespace, id);
    if (workflow === null) throw new WorkflowNotFoundError(id);
    return workflow;
  }
}
