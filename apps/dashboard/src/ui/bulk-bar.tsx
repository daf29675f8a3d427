import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { Confirm } from './confirm';

export interface BulkAction {
  /** The button's verb: `Redrive`, `Cancel`. */
  verb: string;
  /** The dialog's question for `n` jobs. */
  question: (n: number) => string;
  /** What the action does, said in the dialog. */
  explanation: ComponentChildren;
  destructive?: boolean;
  /** Does it; answers the outcome in words. */
  run: (ids: string[]) => Promise<string>;
}

/** The selection's count and the action on it, confirmed in a dialog; `onDone` hears the outcome. */
export function BulkBar({
  chosen,
  action,
  onDone,
  onClear,
}: {
  chosen: string[];
  action: BulkAction;
  onDone: (outcome: string) => void;
  onClear: () => void;
}) {
  const [asking, setAsking] = useState(false);
  const n = chosen.length;
  return (
    <div class="bulk-bar">
      {n === 0 && <span>Select jobs to act on them.</span>}
      <button
        type="button"
        class={action.destructive ? 'danger' : 'primary'}
        disabled={n === 0}
        onClick={() => {
          setAsking(true);
        }}
      >
        {action.verb} {n === 0 ? 'selected' : `${n} selected`}
      </button>
      {n > 0 && (
        <button type="button" onClick={onClear}>
          Clear selection
        </button>
      )}
      {asking && (
        <Confirm
          title={action.question(n)}
          confirmLabel={`${action.verb} ${n === 1 ? '1 job' : `${n} jobs`}`}
          destructive={action.destructive}
          onConfirm={async () => {
            onDone(await action.run(chosen));
          }}
          onClose={() => {
            setAsking(false);
          }}
        >
          {action.explanation}
        </Confirm>
      )}
    </div>
  );
}
