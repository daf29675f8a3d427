import type { Queue, QueueLimits } from '@conveyor/client';
import { useId, useState } from 'preact/hooks';
import { age, count } from '../format';
import { usePoll } from '../poll';
import { href } from '../route';
import { useSession } from '../session';
import { Confirm } from '../ui/confirm';
import { Empty, NotYet, Stale } from '../ui/states';
import { QueueHeader, Scrolling } from '../ui/table';
import { JobList } from './jobs';

export function Queues() {
  const { client, permissions } = useSession();
  const queues = usePoll(() => client.queues(), 'queues');
  return (
    <>
      <h1 tabIndex={-1}>Queues</h1>
      {queues.data === undefined ? (
        <NotYet what="queues" polled={queues} />
      ) : (
        <>
          {queues.error !== undefined && <Stale error={queues.error} />}
          {queues.data.length === 0 ? (
            <Empty title="No queues yet">
              <p>A queue exists as soon as a job names it; nothing needs to be declared.</p>
            </Empty>
          ) : (
            <QueueTable queues={queues.data} manage={permissions.manage} onChanged={queues.refresh} />
          )}
        </>
      )}
      <h2>Running now</h2>
      <JobList
        filter={{ status: 'processing' }}
        caption="Running jobs, newest first"
        empty={{ title: 'Nothing running', text: 'No job of this namespace is running now.' }}
      />
    </>
  );
}

function QueueTable({
  queues,
  manage,
  onChanged,
}: {
  queues: Queue[];
  manage: boolean;
  onChanged: () => void;
}) {
  return (
    <Scrolling label="Queues">
      <table class="queues">
        <thead>
          <tr>
            <th scope="col">Queue</th>
            <th scope="col">State</th>
            <th scope="col" class="number">
              Pending
            </th>
            <th scope="col" class="number">
              Running
            </th>
            <th scope="col">Oldest pending</th>
            <th scope="col">Limits</th>
            {manage && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {queues.map((queue) => (
            <tr key={queue.queue}>
              <QueueHeader queue={queue.queue} />
              <td>
                <QueueState queue={queue} manage={manage} onChanged={onChanged} />
              </td>
              <td class="number">{count(queue.counts.pending)}</td>
              <td class="number">
                {queue.counts.processing > 0 ? (
                  <a href={href({ page: 'jobs', filter: { queue: queue.queue, status: 'processing' } })}>
                    {count(queue.counts.processing)}
                  </a>
                ) : (
                  '0'
                )}
              </td>
              <td>{queue.oldestPendingAgeSeconds === null ? '–' : age(queue.oldestPendingAgeSeconds)}</td>
              <td>
                <LimitsSummary queue={queue} />
              </td>
              {manage && (
                <td>
                  <QueueActions queue={queue} onChanged={onChanged} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </Scrolling>
  );
}

function QueueState({ queue, manage, onChanged }: { queue: Queue; manage: boolean; onChanged: () => void }) {
  const { client, announce } = useSession();
  return (
    <>
      <span class={`badge ${queue.paused ? 'paused' : 'running'}`}>
        {queue.paused ? 'paused' : 'running'}
      </span>
      {queue.pausedTypes.length > 0 && (
        <ul class="paused-types" aria-label="Paused types">
          {queue.pausedTypes.map((type) => (
            <li key={type}>
              <span class="badge paused">{type} paused</span>
              {manage && (
                <button
                  type="button"
                  class="small"
                  aria-label={`Resume type ${type} of ${queue.queue}`}
                  onClick={() => {
                    client.resumeQueue(queue.queue, type).then(
                      () => {
                        announce(`Type ${type} of ${queue.queue} resumed.`);
                        onChanged();
                      },
                      () => {
                        announce(`Could not resume type ${type} of ${queue.queue}.`);
                      },
                    );
                  }}
                >
                  Resume
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function rate(limit: { limit: number; periodSeconds: number }): string {
  return `${count(limit.limit)} per ${age(limit.periodSeconds)}`;
}

function LimitsSummary({ queue }: { queue: Queue }) {
  const parts = [
    queue.concurrencyLimit !== null && `at most ${count(queue.concurrencyLimit)} at once`,
    queue.keyConcurrencyLimit !== null && `${count(queue.keyConcurrencyLimit)} per key`,
    queue.rateLimit !== null && `starts ${rate(queue.rateLimit)}`,
  ].filter((part) => part !== false);
  const types = queue.typeLimits.filter(
    (limit) => limit.concurrencyLimit !== null || limit.rateLimit !== null,
  );
  if (parts.length === 0 && types.length === 0) return <span class="muted">none</span>;
  return (
    <ul class="limits">
      {parts.length > 0 && <li>{parts.join(', ')}</li>}
      {types.map((limit) => (
        <li key={limit.type}>
          <code>{limit.type}</code>:{' '}
          {[
            limit.concurrencyLimit !== null && `at most ${count(limit.concurrencyLimit)} at once`,
            limit.rateLimit !== null && `starts ${rate(limit.rateLimit)}`,
          ]
            .filter((part) => part !== false)
            .join(', ')}
        </li>
      ))}
    </ul>
  );
}

/** Pause or resume the whole queue (a pause may name one type), and set its limits. */
function QueueActions({ queue, onChanged }: { queue: Queue; onChanged: () => void }) {
  const { client, announce } = useSession();
  const [asking, setAsking] = useState<'pause' | 'limits' | null>(null);
  const [pauseType, setPauseType] = useState('');
  const typeId = useId();
  return (
    <div class="row-actions">
      {queue.paused ? (
        <button
          type="button"
          aria-label={`Resume ${queue.queue}`}
          onClick={() => {
            client.resumeQueue(queue.queue).then(
              () => {
                announce(`Queue ${queue.queue} resumed.`);
                onChanged();
              },
              () => {
                announce(`Could not resume ${queue.queue}.`);
              },
            );
          }}
        >
          Resume
        </button>
      ) : (
        <button
          type="button"
          aria-label={`Pause ${queue.queue}`}
          onClick={() => {
            setAsking('pause');
          }}
        >
          Pause
        </button>
      )}
      <button
        type="button"
        aria-label={`Limits of ${queue.queue}`}
        onClick={() => {
          setAsking('limits');
        }}
      >
        Limits
      </button>
      {asking === 'pause' && (
        <Confirm
          title={`Pause ${queue.queue}?`}
          confirmLabel="Pause"
          destructive
          onConfirm={async () => {
            const type = pauseType.trim();
            await client.pauseQueue(queue.queue, type === '' ? undefined : type);
            announce(type === '' ? `Queue ${queue.queue} paused.` : `Type ${type} of ${queue.queue} paused.`);
            onChanged();
          }}
          onClose={() => {
            setAsking(null);
            setPauseType('');
          }}
        >
          <p>
            No instance or worker claims its jobs until it is resumed. Submits are still accepted, and running
            jobs finish.
          </p>
          <div class="field">
            <label for={typeId}>Only this type (leave empty for the whole queue)</label>
            <input
              id={typeId}
              value={pauseType}
              autocomplete="off"
              onInput={(event) => {
                setPauseType(event.currentTarget.value);
              }}
            />
          </div>
        </Confirm>
      )}
      {asking === 'limits' && (
        <LimitsDialog
          queue={queue}
          onClose={() => {
            setAsking(null);
          }}
          onSaved={(said) => {
            announce(said);
            onChanged();
          }}
        />
      )}
    </div>
  );
}

/** A number field's value: null when empty (no limit). */
function limitOf(value: string): number | null {
  return value.trim() === '' ? null : Number(value);
}

function LimitsDialog({
  queue,
  onClose,
  onSaved,
}: {
  queue: Queue;
  onClose: () => void;
  onSaved: (said: string) => void;
}) {
  const { client } = useSession();
  const id = useId();
  const [type, setType] = useState('');
  const [values, setValues] = useState({
    concurrency: String(queue.concurrencyLimit ?? ''),
    perKey: String(queue.keyConcurrencyLimit ?? ''),
    rateLimit: String(queue.rateLimit?.limit ?? ''),
    ratePeriod: String(queue.rateLimit?.periodSeconds ?? ''),
  });
  const field = (name: keyof typeof values) => ({
    id: `${id}-${name}`,
    value: values[name],
    type: 'number' as const,
    min: 1,
    inputMode: 'numeric' as const,
    onInput: (event: Event) => {
      setValues({ ...values, [name]: (event.currentTarget as HTMLInputElement).value });
    },
  });
  const chooseType = (chosen: string) => {
    setType(chosen);
    const limits =
      chosen.trim() === '' ? queue : queue.typeLimits.find((limit) => limit.type === chosen.trim());
    setValues({
      concurrency: String(limits?.concurrencyLimit ?? ''),
      perKey: String(queue.keyConcurrencyLimit ?? ''),
      rateLimit: String(limits?.rateLimit?.limit ?? ''),
      ratePeriod: String(limits?.rateLimit?.periodSeconds ?? ''),
    });
  };
  const forType = type.trim() !== '';
  const known = !forType || queue.typeLimits.some((limit) => limit.type === type.trim());
  return (
    <Confirm
      title={`Limits of ${queue.queue}`}
      confirmLabel="Save limits"
      onConfirm={async () => {
        const rateLimit = limitOf(values.rateLimit);
        const limits: QueueLimits = {
          concurrencyLimit: limitOf(values.concurrency),
          rateLimit:
            rateLimit === null ? null : { limit: rateLimit, periodSeconds: Number(values.ratePeriod) },
          ...(forType ? { type: type.trim() } : { keyConcurrencyLimit: limitOf(values.perKey) }),
        };
        await client.setQueueLimits(queue.queue, limits);
        onSaved(
          forType
            ? `Limits of type ${type.trim()} in ${queue.queue} saved.`
            : `Limits of ${queue.queue} saved.`,
        );
      }}
      onClose={onClose}
    >
      <p>Across every instance and REST worker. Leave a field empty for no limit.</p>
      <div class="form-grid">
        <div class="field whole-row">
          <label for={`${id}-type`}>Type (empty: the whole queue)</label>
          <input
            id={`${id}-type`}
            value={type}
            autocomplete="off"
            autofocus
            list={`${id}-types`}
            onInput={(event) => {
              chooseType(event.currentTarget.value);
            }}
          />
          <datalist id={`${id}-types`}>
            {queue.typeLimits.map((limit) => (
              <option key={limit.type} value={limit.type} />
            ))}
          </datalist>
        </div>
        <div class="field">
          <label for={`${id}-concurrency`}>Jobs at once</label>
          <input {...field('concurrency')} />
        </div>
        {!forType && (
          <div class="field">
            <label for={`${id}-perKey`}>Jobs at once per concurrency key</label>
            <input {...field('perKey')} />
          </div>
        )}
        <div class="field">
          <label for={`${id}-rateLimit`}>Starts per period</label>
          <input {...field('rateLimit')} />
        </div>
        <div class="field">
          <label for={`${id}-ratePeriod`}>Period (seconds)</label>
          <input {...field('ratePeriod')} required={values.rateLimit.trim() !== ''} />
        </div>
      </div>
      {!known && <p class="muted">This type has no limits yet.</p>}
    </Confirm>
  );
}
