import type { Job } from '@conveyor/client';
import { useEffect, useRef } from 'preact/hooks';
import { shortId } from '../format';
import { href } from '../route';
import { StatusBadge } from './status';
import { ErrorCell, Scrolling } from './table';
import { Ago } from './time';

interface JobTableProps {
  caption: string;
  jobs: Job[];
  /** Which column tells when: a dead letter's last change is when it was dead-lettered. */
  when: { label: string; of: (job: Job) => string };
  /** With selection: which jobs may be selected, and the selected ids. */
  selection?: {
    selectable: (job: Job) => boolean;
    selected: ReadonlySet<string>;
    onChange: (selected: Set<string>) => void;
  };
}

/** Jobs as a table: each links to its page; with `selection`, a checkbox per row and for the page. */
export function JobTable({ caption, jobs, when, selection }: JobTableProps) {
  return (
    <Scrolling label={caption}>
      <table class="jobs">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {selection && (
              <th scope="col" class="select">
                <SelectPage jobs={jobs} selection={selection} />
              </th>
            )}
            <th scope="col">Job</th>
            <th scope="col">Status</th>
            <th scope="col">Queue</th>
            <th scope="col" class="number">
              Attempts
            </th>
            <th scope="col">{when.label}</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <tr key={job.id} class={selection?.selected.has(job.id) ? 'selected' : undefined}>
              {selection && (
                <td class="select">
                  {selection.selectable(job) && (
                    <input
                      type="checkbox"
                      aria-label={`Select ${job.type} ${shortId(job.id)}`}
                      checked={selection.selected.has(job.id)}
                      onChange={(event) => {
                        const next = new Set(selection.selected);
                        if (event.currentTarget.checked) next.add(job.id);
                        else next.delete(job.id);
                        selection.onChange(next);
                      }}
                    />
                  )}
                </td>
              )}
              <td>
                <a href={href({ page: 'job', id: job.id })}>
                  <span class="job-type">{job.type}</span> <code class="id">{shortId(job.id)}</code>
                </a>
              </td>
              <td>
                <StatusBadge status={job.status} />
              </td>
              <td>{job.queue}</td>
              <td class="number">
                {job.attempts}/{job.maxAttempts}
              </td>
              <td>
                <Ago iso={when.of(job)} />
              </td>
              <ErrorCell error={job.lastError} />
            </tr>
          ))}
        </tbody>
      </table>
    </Scrolling>
  );
}

/** The header's checkbox: every selectable job of the page, or none; mixed when some are. */
function SelectPage({ jobs, selection }: Required<Pick<JobTableProps, 'jobs' | 'selection'>>) {
  const box = useRef<HTMLInputElement>(null);
  const selectable = jobs.filter(selection.selectable).map((job) => job.id);
  const chosen = selectable.filter((id) => selection.selected.has(id)).length;
  useEffect(() => {
    if (box.current !== null) box.current.indeterminate = chosen > 0 && chosen < selectable.length;
  });
  return (
    <input
      ref={box}
      type="checkbox"
      aria-label="Select every job on this page"
      disabled={selectable.length === 0}
      checked={selectable.length > 0 && chosen === selectable.length}
      onChange={(event) => {
        selection.onChange(new Set(event.currentTarget.checked ? selectable : []));
      }}
    />
  );
}
