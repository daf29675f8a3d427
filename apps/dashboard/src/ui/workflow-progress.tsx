import type { WorkflowSummary } from '@conveyor/client';
import { count } from '../format';
import { type JobStatus, statusLabel } from './status';

/** Finished nodes first, so that the bar fills from the left as the workflow runs. */
const SEGMENTS: JobStatus[] = [
  'completed',
  'dead_letter',
  'cancelled',
  'failed',
  'processing',
  'pending',
  'waiting',
];

/** `3 of 8 completed, 1 running, 4 waiting`: the counts in words, the zeros left out. */
export function progressText({ counts, nodeCount }: Pick<WorkflowSummary, 'counts' | 'nodeCount'>): string {
  const others = SEGMENTS.filter((status) => status !== 'completed' && counts[status] > 0).map(
    (status) => `${count(counts[status])} ${statusLabel(status)}`,
  );
  return [`${count(counts.completed)} of ${count(nodeCount)} completed`, ...others].join(', ');
}

/** A workflow's nodes per status: a bar coloured by status (for the eye), then the same in words. */
export function WorkflowProgress({ workflow }: { workflow: Pick<WorkflowSummary, 'counts' | 'nodeCount'> }) {
  const total = Math.max(1, workflow.nodeCount);
  return (
    <span class="workflow-progress">
      <span class="progress-bar" aria-hidden="true">
        {SEGMENTS.filter((status) => workflow.counts[status] > 0).map((status) => (
          <span
            key={status}
            class={`segment status-${status}`}
            style={{ width: `${(workflow.counts[status] / total) * 100}%` }}
          />
        ))}
      </span>
      <span>{progressText(workflow)}</span>
    </span>
  );
}
