import { JOB_STATUSES, type JobStatus } from '../domain/job-status.js';
import { workflowStatus, type WorkflowStatus } from '../domain/workflow.js';
import type { JobView } from './job-view.js';

/** One node of a workflow as GET /v1/workflows/:id shows it (the job itself: GET /v1/jobs/:id). */
export interface WorkflowNodeView {
  ref: string;
  jobId: string;
  type: string;
  queue: string;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  /** The refs of the nodes it depends on. */
  dependsOn: string[];
  lastError: string | null;
  claimedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A workflow without its nodes: what the list shows. */
export interface WorkflowSummaryView {
  id: string;
  namespace: string;
  name: string | null;
  idempotencyKey: string | null;
  status: WorkflowStatus;
  nodeCount: number;
  /** Nodes per status, every status present. */
  counts: Record<JobStatus, number>;
  createdAt: Date;
  /** When its first node was first claimed; null before. */
  startedAt: Date | null;
  /** When its last node finished; null while it runs. */
  finishedAt: Date | null;
}

export interface WorkflowView extends WorkflowSummaryView {
  /** Every node, by ref. */
  nodes: WorkflowNodeView[];
}

export interface WorkflowPage {
  items: WorkflowSummaryView[];
  nextCursor: string | null;
}

/** What a workflow view is made of: the workflow's own row, and its nodes. */
export interface WorkflowFacts {
  id: string;
  namespace: string;
  name: string | null;
  idempotencyKey: string | null;
  createdAt: Date;
  nodes: WorkflowNodeView[];
}

export function emptyCounts(): Record<JobStatus, number> {
  return Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;
}

/** A workflow's summary from its counts and times: finished (finishedAt set) once no node is left to run. */
export function workflowSummary(
  head: Omit<WorkflowFacts, 'nodes'> & { nodeCount: number },
  counts: Record<JobStatus, number>,
  startedAt: Date | null,
  lastChangeAt: Date | null,
): WorkflowSummaryView {
  const status = workflowStatus(counts);
  return {
    id: head.id,
    namespace: head.namespace,
    name: head.name,
    idempotencyKey: head.idempotencyKey,
    status,
    nodeCount: head.nodeCount,
    counts,
    createdAt: head.createdAt,
    startedAt,
    finishedAt: status === 'running' ? null : lastChangeAt,
  };
}

/** A node as a workflow shows it, from its job. */
export function nodeView(job: JobView, dependsOn: string[]): WorkflowNodeView {
  return {
    ref: job.workflowRef ?? '',
    jobId: job.id,
    type: job.type,
    queue: job.queue,
    status: job.status,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    dependsOn,
    lastError: job.lastError,
    claimedAt: job.claimedAt,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
}

export function workflowView(facts: WorkflowFacts): WorkflowView {
  const counts = emptyCounts();
  let startedAt: Date | null = null;
  let lastChangeAt: Date | null = null;
  for (const node of facts.nodes) {
    counts[node.status] += 1;
    if (node.claimedAt !== null && (startedAt === null || node.claimedAt < startedAt))
      startedAt = node.claimedAt;
    if (lastChangeAt === null || node.updatedAt > lastChangeAt) lastChangeAt = node.updatedAt;
  }
  return {
    ...workflowSummary({ ...facts, nodeCount: facts.nodes.length }, counts, startedAt, lastChangeAt),
    nodes: facts.nodes,
  };
}
