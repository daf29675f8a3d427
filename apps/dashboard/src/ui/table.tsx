import type { ComponentChildren } from 'preact';
import { firstLine } from '../format';
import { href } from '../route';

/**
 * A table wider than the screen scrolls inside this frame, not the page. The frame is a named
 * region that takes the focus, so that it scrolls by keyboard too.
 */
export function Scrolling({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

/** A queue's name heading its row, linked to its jobs. */
export function QueueHeader({ queue }: { queue: string }) {
  return (
    <th scope="row">
      <a href={href({ page: 'jobs', filter: { queue } })}>{queue}</a>
    </th>
  );
}

/** An error's first line in a cell; the whole of it on hover, and on the job's page. */
export function ErrorCell({ error }: { error: string | null }) {
  return (
    <td class="error-text" title={error ?? undefined}>
      {firstLine(error)}
    </td>
  );
}
