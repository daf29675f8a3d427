import { Injectable } from '@nestjs/common';
import { Sql } from '#conveyor/database';
import type { ListPosition } from '../application/ports/job-reads.js';
import type { WorkflowReads } from '../application/ports/workflow-reads.js';
import {
  emptyCounts,
  workflowSummary,
  workflowView,
  type WorkflowSummaryView,
  type WorkflowView,
} from '../application/workflow-view.js';
import type { JobStatus } from '../domain/job-status.js';
import { GET_WORKFLOW, GET_WORKFLOW_NODES, LIST_WORKFLOWS } from './sql/workflow.sql.js';

interface SummaryRow {
  id: string;
  namespace: string;
  name: string | null;
  idempotency_key: string | null;
  node_count: number;
  created_at: Date;
  counts: Partial<Record<JobStatus, number>>;
  started_at: Date | null;
  last_change_at: Date | null;
}

interface NodeRow {
  ref: string;
  id: string;
  type: string;
  queue: string;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  claimed_at_ms: number | null;
  created_at_ms: number;
  updated_at_ms: number;
  depends_on: string[];
}

function summaryOf(row: SummaryRow): WorkflowSummaryView {
  return workflowSummary(
    {
      id: row.id,
      namespace: row.namespace,
      name: row.name,
      idempotencyKey: row.idempotency_key,
      createdAt: row.created_at,
      nodeCount: row.node_count,
    },
    { ...emptyCounts(), ...row.counts },
    row.started_at,
    row.last_change_at,
  );
}

/** The workflow read port on PostgreSQL (sql/workflow.sql.ts). */
@Injectable()
export class PostgresWorkflowReads implements WorkflowReads {
  constructor(private readonly sql: Sql) {}

  async get(namespace: string, id: string): Promise<WorkflowView | null> {
    const [[head], nodes] = await Promise.all([
      this.sql.rows<Omit<SummaryRow, 'counts' | 'started_at' | 'last_change_at'>>(GET_WORKFLOW, [
        id,
        namespace,
      ]),
      this.sql.rows<NodeRow>(GET_WORKFLOW_NODES, [id, namespace]),
    ]);
    if (head === undefined) return null;
    return workflowView({
      id: head.id,
      namespace: head.namespace,
      name: head.name,
      idempotencyKey: head.idempotency_key,
      createdAt: head.created_at,
      nodes: nodes.map((node) => ({
        ref: node.ref,
        jobId: node.id,
        type: node.type,
        queue: node.queue,
        status: node.status,
        attempts: node.attempts,
        maxAttempts: node.max_attempts,
        dependsOn: node.depends_on,
        lastError: node.last_error,
        claimedAt: node.claimed_at_ms === null ? null : new Date(node.claimed_at_ms),
        createdAt: new Date(node.created_at_ms),
        updatedAt: new Date(node.updated_at_ms),
      })),
    });
  }

  async list(
    namespace: string,
    after: ListPosition | null,
    limit: number,
  ): Promise<{ workflow: WorkflowSummaryView; position: ListPosition }[]> {
    const rows = await this.sql.rows<SummaryRow & { cursor_micros: string }>(LIST_WORKFLOWS, [
      namespace,
      after?.createdAtMicros ?? null,
      after?.id ?? null,
      limit,
    ]);
    return rows.map((row) => ({
      workflow: summaryOf(row),
      position: { createdAtMicros: Number(row.cursor_micros), id: row.id },
    }));
  }
}
