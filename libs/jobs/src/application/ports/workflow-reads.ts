import type { WorkflowSummaryView, WorkflowView } from '../workflow-view.js';
import type { ListPosition } from './job-reads.js';

/** What the workflow queries read (infrastructure/postgres-workflow-reads.ts); it never writes. */
export const WORKFLOW_READS = Symbol('WORKFLOW_READS');

export interface WorkflowReads {
  /** The workflow with every node; null when the namespace has no such workflow. */
  get(namespace: string, id: string): Promise<WorkflowView | null>;
  /** Up to `limit` workflows after `after`, newest first, each with its list position. */
  list(
    namespace: string,
    after: ListPosition | null,
    limit: number,
  ): Promise<{ workflow: WorkflowSummaryView; position: ListPosition }[]>;
}
