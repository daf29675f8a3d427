import { ConveyorProblem } from '@conveyor/client';
import type { ComponentChildren } from 'preact';
import type { Polled } from '../poll';

/** What went wrong, in words for an operator: the service's problem document, or the network. */
export function describeError(error: unknown): string {
  if (error instanceof ConveyorProblem) {
    const { title, detail } = error.problem;
    return detail === '' || detail === title ? title : `${title} ${detail}`;
  }
  if (error instanceof TypeError) return 'The service cannot be reached.';
  return error instanceof Error ? error.message : String(error);
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="state loading" role="status">
      <span class="spinner" aria-hidden="true" />
      Loading {what}…
    </p>
  );
}

/** A page that could not load: why, and a way to try again (it also tries again by itself). */
export function Failed({ what, error, retry }: { what: string; error: unknown; retry: () => void }) {
  return (
    <div class="state failed" role="alert">
      <h2>Could not load {what}</h2>
      <p>{describeError(error)}</p>
      <button type="button" onClick={retry}>
        Try again
      </button>
    </div>
  );
}

/** What a page shows while its poll has no answer yet: loading, or why not. */
export function NotYet({ what, polled }: { what: string; polled: Polled<unknown> }) {
  return polled.error === undefined ? (
    <Loading what={what} />
  ) : (
    <Failed what={what} error={polled.error} retry={polled.refresh} />
  );
}

/**
 * A page of one thing by id (a job, a workflow) while its poll has nothing to show: not found
 * (404), with `children` saying why and a way back to `list`; loading; or why not.
 */
export function NotLoaded({
  what,
  polled,
  list,
  children,
}: {
  what: string;
  polled: Polled<unknown>;
  list: { label: string; href: string };
  children: ComponentChildren;
}) {
  const title = `${what.charAt(0).toUpperCase()}${what.slice(1)}`;
  if (polled.error instanceof ConveyorProblem && polled.error.status === 404) {
    return (
      <>
        <h1 tabIndex={-1}>{title} not found</h1>
        <Empty title={`No such ${what}`}>
          {children}
          <p>
            <a href={list.href}>{list.label}</a>
          </p>
        </Empty>
      </>
    );
  }
  return (
    <>
      <h1 tabIndex={-1}>{title}</h1>
      <NotYet what={`the ${what}`} polled={polled} />
    </>
  );
}

/** Shown above data that is still on screen while refreshing it fails. */
export function Stale({ error }: { error: unknown }) {
  return (
    <p class="stale" role="status">
      Not up to date: {describeError(error)} Trying again.
    </p>
  );
}

export function Empty({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <div class="state empty">
      <h2>{title}</h2>
      {children}
    </div>
  );
}
