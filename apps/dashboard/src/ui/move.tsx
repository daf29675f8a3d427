import { useState } from 'preact/hooks';
import { useSession } from '../session';
import { Confirm } from './confirm';

/** Something a key that may act can do to what the page shows, asked first in a dialog. */
export interface Move {
  /** The button's and the confirming button's label: `Cancel job`. */
  label: string;
  question: string;
  /** Red buttons, for what cannot be undone. */
  destructive: boolean;
  explanation: string;
  run: () => Promise<unknown>;
  /** Announced once it is done. */
  said: string;
}

/** A move's button and its confirm dialog; `onChanged` once it is done, to show its effect. */
export function MoveButton({ move, onChanged }: { move: Move; onChanged: () => void }) {
  const { announce } = useSession();
  const [asking, setAsking] = useState(false);
  return (
    <>
      <button
        type="button"
        class={move.destructive ? 'danger' : 'primary'}
        onClick={() => {
          setAsking(true);
        }}
      >
        {move.label}
      </button>
      {asking && (
        <Confirm
          title={move.question}
          confirmLabel={move.label}
          destructive={move.destructive}
          onConfirm={async () => {
            await move.run();
            announce(move.said);
            onChanged();
          }}
          onClose={() => {
            setAsking(false);
          }}
        >
          <p>{move.explanation}</p>
        </Confirm>
      )}
    </>
  );
}
