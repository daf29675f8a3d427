import type { Job, Workflow } from '@conveyor/client';

export type JobStatus = Job['status'];
export type WorkflowStatus = Workflow['status'];

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

/** The status a form field or an address names; undefined for anything else. */
export function jobStatusOf(value: unknown): JobStatus | undefined {
  return JOB_STATUSES.find((status) => status === value);
}

/** A status <select>'s options: any, then every status in the order of a job's life. */
export function StatusOptions() {
  return (
    <>
      <option value="">any</option>
      {JOB_STATUSES.map((status) => (
        <option key={status} value={status}>
          {LABELS[status]}
        </option>
      ))}
    </>
  );
}

/** A job's status as a coloured tag; the colour repeats the word, it never replaces it. */
export function StatusBadge({ status }: { status: JobStatus }) {
  return <span class={`badge status-${status}`}>{LABELS[status]}</span>;
}

/** A workflow's status as a tag, in the colour of the job status it most resembles. */
export function WorkflowStatusBadge({ status }: { status: WorkflowStatus }) {
  return <span class={`badge workflow-${status}`}>{status}</span>;
}
