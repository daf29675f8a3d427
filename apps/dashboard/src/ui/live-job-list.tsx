import type { Job, JobPage } from '@conveyor/client';
import { useState } from 'preact/hooks';
import { usePoll } from '../poll';
import { useSession } from '../session';
import { type BulkAction, BulkBar } from './bulk-bar';
import { JobTable } from './job-table';
import { Pager, usePages } from './pager';
import { Empty, NotYet, Stale } from './states';

const PAGE_SIZE = 50;

interface LiveJobListProps {
  /** A page of the list: the API's keyset pagination (`cursor`: the last page's `nextCursor`). */
  load: (page: { cursor: string | undefined; limit: number }) => Promise<JobPage>;
  /** What the list is of (`jobs`, `dead letters`), for its loading and failed states. */
  what: string;
  caption: string;
  when: { label: string; of: (job: Job) => string };
  /** The jobs `action` may take, and the action; offered to a key that may act. */
  selectable: (job: Job) => boolean;
  action: BulkAction;
  empty: { title: string; text: string };
}

/**
 * A list of jobs kept live (usePoll), a page at a time; a key with `jobs:submit` selects jobs
 * and acts on them in bulk, and reads the outcome above the list.
 */
export function LiveJobList({ load, what, caption, when, selectable, action, empty }: LiveJobListProps) {
  const { permissions, announce } = useSession();
  const pages = usePages();
  const list = usePoll(() => load({ cursor: pages.cursor, limit: PAGE_SIZE }), pages.cursor ?? '');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [outcome, setOutcome] = useState<string | null>(null);

  if (list.data === undefined) return <NotYet what={what} polled={list} />;
  const { items, nextCursor } = list.data;
  const chosen = items.filter((job) => selected.has(job.id) && selectable(job)).map((job) => job.id);
  return (
    <>
      {list.error !== undefined && <Stale error={list.error} />}
      {outcome !== null && (
        <p class="outcome" role="status">
          {outcome}
        </p>
      )}
      {permissions.act && items.some(selectable) && (
        <BulkBar
          chosen={chosen}
          action={action}
          onClear={() => {
            setSelected(new Set());
          }}
          onDone={(said) => {
            setOutcome(said);
            announce(said);
            setSelected(new Set());
            list.refresh();
          }}
        />
      )}
      {items.length === 0 ? (
        <Empty title={empty.title}>
          <p>{empty.text}</p>
        </Empty>
      ) : (
        <JobTable
          caption={caption}
          jobs={items}
          when={when}
          selection={permissions.act ? { selectable, selected, onChange: setSelected } : undefined}
        />
      )}
      <Pager pages={pages} nextCursor={nextCursor} label={`Pages of ${what}`} />
    </>
  );
}
