import { useState } from 'preact/hooks';

export interface Pages {
  /** The cursor of the page shown (undefined: the first). */
  cursor: string | undefined;
  number: number;
  next: (cursor: string) => void;
  previous: () => void;
  first: () => void;
}

/** Keyset pagination: the cursors of the pages before this one, so that Previous can go back. */
export function usePages(): Pages {
  const [cursors, setCursors] = useState<string[]>([]);
  return {
    cursor: cursors.at(-1),
    number: cursors.length + 1,
    next: (cursor) => {
      setCursors((shown) => [...shown, cursor]);
    },
    previous: () => {
      setCursors((shown) => shown.slice(0, -1));
    },
    first: () => {
      setCursors([]);
    },
  };
}

/** Previous / page n / Next, under a list; Next only when the answer had a nextCursor. */
export function Pager({
  pages,
  nextCursor,
  label,
}: {
  pages: Pages;
  nextCursor: string | null;
  label: string;
}) {
  if (pages.number === 1 && nextCursor === null) return null;
  return (
    <nav class="pager" aria-label={label}>
      <button type="button" onClick={pages.first} disabled={pages.number === 1}>
        First
      </button>
      <button type="button" onClick={pages.previous} disabled={pages.number === 1}>
        Previous
      </button>
      <span aria-live="polite">Page {pages.number}</span>
      <button
        type="button"
        onClick={() => {
          if (nextCursor !== null) pages.next(nextCursor);
        }}
        disabled={nextCursor === null}
      >
        Next
      </button>
    </nav>
  );
}
