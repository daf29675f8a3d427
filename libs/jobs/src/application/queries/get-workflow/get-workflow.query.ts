import { Query } from '@nestjs/cqrs';
import type { WorkflowView } from '../../workflow-view.js';

/** A workflow with every node (WorkflowNotFoundError when the namespace has none with this id). */
export class GetWorkflowQuery extends Query<WorkflowView> {
  constructor(
    readonly namespace: string,
    readonly id: string,
  ) {
    super();
  }
}
