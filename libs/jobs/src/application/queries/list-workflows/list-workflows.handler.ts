import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { InvalidCursorError } from '../../../domain/job.errors.js';
import { WORKFLOW_READS, type WorkflowReads } from '../../ports/workflow-reads.js';
import type { WorkflowPage } from '../../workflow-view.js';
import { decodeCursor, encodeCursor } from '../list-jobs/cursor.js';
import { ListWorkflowsQuery } from './list-workflows.query.js';

@QueryHandler(ListWorkflowsQuery)
export class ListWorkflowsHandler implements IQueryHandler<ListWorkflowsQuery> {
  constructor(@Inject(WORKFLOW_READS) private readonly reads: WorkflowReads) {}

  async execute({ namespace, limit, cursor }: ListWorkflowsQuery): Promise<WorkflowPage> {
    const after = cursor === null ? null : decodeCursor(cursor);
    if (cursor !== null && after === null) throw new InvalidCursorError();
    // One extra row tells whether another page exists.
    const rows = await this.reads.list(namespace, after, limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => row.workflow),
      nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.position) : null,
    };
  }
}
