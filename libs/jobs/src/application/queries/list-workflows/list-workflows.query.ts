import { Query } from '@nestjs/cqrs';
import type { WorkflowPage } from '../../workflow-view.js';

/** A namespace's workflows, newest first, a page at a time (the cursor as GET /v1/jobs's). */
export class ListWorkflowsQuery extends Query<WorkflowPage> {
  constructor(
    readonly namespace: string,
    readonly limit: number,
    readonly cursor: string | null,
  ) {
    super();
  }
}
