import type { ConveyorClient, Job } from '@conveyor/client';
import { eachAtMost } from '../bulk';
import { shortId } from '../format';
import { type Filter, href } from '../route';
import { useSession } from '../session';
import type { BulkAction } from '../ui/bulk-bar';
import { FilterForm } from '../ui/filter-form';
import { LiveJobList } from '../ui/live-job-list';
import { describeError } from '../ui/states';

/** Cancels sent at once in a bulk cancel. */
const CANCELS_AT_ONCE = 4;
const CANCELLABLE: ReadonlySet<Job['status']> = new Set(['waiting', 'pending', 'failed', 'processing']);

export function Jobs({ filter }: { filter: Filter }) {
  const key = JSON.stringify(filter);
  return (
    <>
      <h1 tabIndex={-1}>Jobs</h1>
      <FilterForm
        key={key}
        filter={filter}
        withStatus
        addressOf={(next) => href({ page: 'jobs', filter: next })}
      />
      <JobList key={key} filter={filter} caption="Jobs, newest first" />
    </>
  );
}

/**
 * Jobs matching `filter`, newest first; the waiting, pending, failed and running ones can be
 * cancelled in bulk. Also the Queues page's list of running jobs.
 */
export function JobList({
  filter,
  caption,
  empty,
}: {
  filter: Filter;
  caption: string;
  /** What an empty list says, when not the filter's words. */
  empty?: { title: string; text: string };
}) {
  const { client } = useSession();
  return (
    <LiveJobList
      load={(page) => client.listJobs({ ...filter, ...page })}
      what="jobs"
      caption={caption}
      when={{ label: 'Created', of: (job) => job.createdAt }}
      selectable={(job) => CANCELLABLE.has(job.status)}
      action={cancelAction(client)}
      empty={
        empty ??
        (Object.keys(filter).length === 0
          ? { title: 'No jobs yet', text: 'Jobs appear here as soon as they are submitted (POST /v1/jobs).' }
          : { title: 'No jobs match', text: 'No job of this namespace matches the filter.' })
      }
    />
  );
}

function cancelAction(client: ConveyorClient): BulkAction {
  return {
    verb: 'Cancel',
    question: (n) => (n === 1 ? 'Cancel this job?' : `Cancel these ${n} jobs?`),
    explanation: (
      <p>
        Waiting, pending and failed jobs will not run again. Running jobs are stopped: their workers are told,
        and whatever they send afterwards is refused. A cancelled job can be retried from its page.
      </p>
    ),
    destructive: true,
    run: async (ids) => {
      const outcomes = await eachAtMost(ids, CANCELS_AT_ONCE, (id) => client.cancel(id));
      const refused = outcomes.flatMap((outcome, index) =>
        outcome.status === 'rejected'
          ? [`${shortId(ids[index] ?? '')}: ${describeError(outcome.reason)}`]
          : [],
      );
      const done = ids.length - refused.length;
      const said = `Cancelled ${done} of ${ids.length} ${ids.length === 1 ? 'job' : 'jobs'}.`;
      return refused.length === 0 ? said : `${said} Not cancelled: ${refused.join('; ')}`;
    },
  };
}
