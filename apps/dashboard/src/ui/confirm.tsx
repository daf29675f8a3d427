import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { describeError } from './states';

interface ConfirmProps {
  title: string;
  /** The confirming button's label: the action's verb (`Redrive 3 jobs`). */
  confirmLabel: string;
  /** Runs on confirm; the dialog stays open, busy, until it settles, and shows its error. */
  onConfirm: () => Promise<void>;
  onClose: () => void;
  /** Red confirm button, for what cannot be undone. */
  destructive?: boolean;
  children: ComponentChildren;
}

/**
 * A modal <dialog> asking before an action. Opens with the focus on "Keep as is" (or on a field
 * of its own marked autofocus), so Enter alone never confirms; Escape closes it; the focus
 * returns to whatever opened it.
 */
export function Confirm({ title, confirmLabel, onConfirm, onClose, destructive, children }: ConfirmProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  useEffect(() => {
    const element = dialog.current;
    if (element === null) return;
    const opener = document.activeElement;
    element.showModal();
    return () => {
      element.close();
      // Back to what opened the dialog, once the page has settled; to the page's content when
      // that is gone or disabled now (a bulk action's button, its selection done with).
      requestAnimationFrame(() => {
        if (opener instanceof HTMLElement && opener.isConnected && !opener.matches(':disabled'))
          opener.focus();
        else document.getElementById('main')?.focus();
      });
    };
  }, []);

  const confirm = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
      onClose();
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={dialog}
      class="confirm"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onClose();
      }}
    >
      <form onSubmit={(event) => void confirm(event)}>
        <h2 id={titleId}>{title}</h2>
        {children}
        {error !== undefined && (
          <p class="form-error" role="alert">
            {describeError(error)}
          </p>
        )}
        <div class="dialog-actions">
          <button type="button" onClick={onClose} disabled={busy} autofocus>
            Keep as is
          </button>
          <button type="submit" class={destructive ? 'danger' : 'primary'} disabled={busy}>
            {busy ? 'Working…' : confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
