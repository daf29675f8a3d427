import type { ConveyorClient } from '@conveyor/client';
import { type Filter, href } from '../route';
import { useSession } from '../session';
import type { BulkAction } from '../ui/bulk-bar';
import { FilterForm } from '../ui/filter-form';
import { LiveJobList } from '../ui/live-job-list';

export function DeadLetter({ filter }: { filter: Filter }) {
  const key = JSON.stringify(filter);
  return (
    <>
      <h1 tabIndex={-1}>Dead letter</h1>
      <p class="lead">
        Jobs that ran out of attempts, or failed for good. Redriven jobs go back to pending with a fresh
        attempt budget.
      </p>
      <FilterForm
        key={key}
        filter={filter}
        withStatus={false}
        addressOf={(next) => href({ page: 'dead-letter', filter: next })}
      />
      <DeadLetterList key={key} filter={filter} />
    </>
  );
}

function DeadLetterList({ filter }: { filter: Filter }) {
  const { client } = useSession();
  const filtered = Object.keys(filter).length > 0;
  return (
    <LiveJobList
      load={(page) => client.listDeadLetters({ ...filter, ...page })}
      what="dead letters"
      caption="Dead letters, newest first"
      when={{ label: 'Dead-lettered', of: (job) => job.updatedAt }}
      selectable={() => true}
      action={redriveAction(client)}
      empty={
        filtered
          ? { title: 'No dead letter matches', text: 'No dead letter of this namespace matches the filter.' }
          : {
              title: 'No dead letters',
              text: 'Nothing has failed for good. A job lands here when its last attempt fails, or when its worker says retrying cannot help.',
            }
      }
    />
  );
}

function redriveAction(client: ConveyorClient): BulkAction {
  return {
    verb: 'Redrive',
    question: (n) => (n === 1 ? 'Redrive this dead letter?' : `Redrive these ${n} dead letters?`),
    explanation: (
      <p>They go back to pending with their attempts reset, and run again as soon as a worker claims them.</p>
    ),
    run: async (ids) => {
      const redriven = await client.redrive({ ids });
      const said = `Redrove ${redriven} of ${ids.length} ${ids.length === 1 ? 'job' : 'jobs'}.`;
      return redriven === ids.length ? said : `${said} The others were no longer dead letters.`;
    },
  };
}
