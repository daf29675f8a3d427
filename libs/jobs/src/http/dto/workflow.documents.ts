import { ApiProperty } from '@nestjs/swagger';
import type { Wire } from '#conveyor/http';
import type {
  WorkflowNodeView,
  WorkflowPage,
  WorkflowSummaryView,
  WorkflowView,
} from '../../application/workflow-view.js';
import { JOB_STATUSES, type JobStatus } from '../../domain/job-status.js';
import { WORKFLOW_STATUSES, type WorkflowStatus } from '../../domain/workflow.js';
import { StatusCountsDocument } from './job.documents.js';

// The response shapes of the workflow API, for the OpenAPI document only (dates: ISO 8601 strings).

/** WorkflowNodeView. */
export class WorkflowNodeDocument implements Wire<WorkflowNodeView> {
  @ApiProperty({ example: 'resize' })
  ref: string;

  @ApiProperty({
    format: 'uuid',
    description: 'Its job: GET /v1/jobs/{jobId} has its payload, result and history.',
  })
  jobId: string;

  @ApiProperty({ example: 'image.resize' })
  type: string;

  @ApiProperty({ example: 'default' })
  queue: string;

  @ApiProperty({ enum: JOB_STATUSES })
  status: JobStatus;

  @ApiProperty({ type: 'integer' })
  attempts: number;

  @ApiProperty({ type: 'integer' })
  maxAttempts: number;

  @ApiProperty({ type: [String], description: 'The refs of the nodes it waits for.', example: ['fetch'] })
  dependsOn: string[];

  @ApiProperty({ type: 'string', nullable: true })
  lastError: string | null;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  claimedAt: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

/** WorkflowSummaryView. */
export class WorkflowSummaryDocument implements Wire<WorkflowSummaryView> {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'default' })
  namespace: string;

  @ApiProperty({ type: 'string', nullable: true, example: 'nightly-report' })
  name: string | null;

  @ApiProperty({ type: 'string', nullable: true })
  idempotencyKey: string | null;

  @ApiProperty({
    enum: WORKFLOW_STATUSES,
    description:
      'running while any node is unfinished; then completed (all completed), failed (some dead-lettered) or cancelled.',
  })
  status: WorkflowStatus;

  @ApiProperty({ type: 'integer' })
  nodeCount: number;

  @ApiProperty({ type: () => StatusCountsDocument, description: 'Nodes per status.' })
  counts: StatusCountsDocument;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    description: 'When a node was first claimed.',
  })
  startedAt: string | null;

  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    description: 'When its last node finished; null while it runs.',
  })
  finishedAt: string | null;
}

/** WorkflowView. */
export class WorkflowDocument extends WorkflowSummaryDocument implements Wire<WorkflowView> {
  @ApiProperty({ type: [WorkflowNodeDocument], description: 'Every node, by ref.' })
  nodes: WorkflowNodeDocument[];
}

/** WorkflowPage. */
export class WorkflowPageDocument implements Wire<WorkflowPage> {
  @ApiProperty({ type: [WorkflowSummaryDocument], description: 'Newest first.' })
  items: WorkflowSummaryDocument[];

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'Pass back as `cursor` for the next page; null on the last page.',
  })
  nextCursor: string | null;
}
