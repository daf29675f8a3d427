import { ago, dateTime } from '../format';

/** A moment as a date and time; how long ago on hover. */
export function Moment({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={ago(iso)}>
      {dateTime(iso)}
    </time>
  );
}

/** A moment as how long ago, for lists; the date and time on hover. */
export function Ago({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={dateTime(iso)}>
      {ago(iso)}
    </time>
  );
}
