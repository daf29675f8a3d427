import type { Job } from '@conveyor/client';

export type JobStatus = Job['status'];

/** Every status, as the dashboard says it: the compiler holds this to the API's list. */
const LABELS: Record<JobStatus, string> = {
  waiting: 'waiting',
  pending: 'pending',
  processing: 'running',
  completed: 'completed',
  failed: 'failed',
  dead_letter: 'dead letter',
  cancelled: 'cancelled',
};

/** In the order of a job's life. */
export const JOB_STATUSES = Object.keys(LABELS) as JobStatus[];

export function statusLabel(status: JobStatus): string {
  return LABELS[status];
}

/** A job's status as a coloured tag; the colour repeats the word, it never replaces it. */
export function StatusBadge({ status }: { status: JobStatus }) {
  return <span class={`badge status-${status}`}>{LABELS[status]}</span>;
}
