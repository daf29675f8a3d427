import { useId } from 'preact/hooks';
import type { Filter } from '../route';
import { jobStatusOf, StatusOptions } from './status';

interface FilterFormProps {
  filter: Filter;
  /** Whether the list can be filtered by status (the dead-letter list is one status). */
  withStatus: boolean;
  /** Where a filter leads: the list's address with it. */
  addressOf: (filter: Filter) => string;
}

/**
 * A list's filter, applied on submit by moving to the list's address with it (so the back
 * button undoes it). Error text is matched anywhere in the last error, in any case.
 */
export function FilterForm({ filter, withStatus, addressOf }: FilterFormProps) {
  const id = useId();
  const apply = (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const text = (name: string) => {
      const value = form.get(name);
      return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
    };
    const status = jobStatusOf(form.get('status'));
    location.hash = addressOf({
      queue: text('queue'),
      type: text('type'),
      error: text('error'),
      ...(withStatus && status !== undefined ? { status } : {}),
    });
  };
  return (
    <form class="filters" role="search" aria-label="Filter" onSubmit={apply}>
      <div class="field">
        <label for={`${id}-queue`}>Queue</label>
        <input id={`${id}-queue`} name="queue" defaultValue={filter.queue ?? ''} autocomplete="off" />
      </div>
      <div class="field">
        <label for={`${id}-type`}>Type</label>
        <input id={`${id}-type`} name="type" defaultValue={filter.type ?? ''} autocomplete="off" />
      </div>
      {withStatus && (
        <div class="field">
          <label for={`${id}-status`}>Status</label>
          <select id={`${id}-status`} name="status" value={filter.status ?? ''}>
            <StatusOptions />
          </select>
        </div>
      )}
      <div class="field wide">
        <label for={`${id}-error`}>Error contains</label>
        <input
          id={`${id}-error`}
          name="error"
          type="search"
          defaultValue={filter.error ?? ''}
          autocomplete="off"
        />
      </div>
      <div class="filter-actions">
        <button type="submit" class="primary">
          Filter
        </button>
        <a class="button-link" href={addressOf({})}>
          Clear
        </a>
      </div>
    </form>
  );
}
