import { useId, useState } from 'preact/hooks';

/**
 * Asks for an API key. It is checked (GET /v1/me) before it is kept, and kept in this tab's
 * sessionStorage only.
 */
export function SignIn({ notice, onKey }: { notice: string | null; onKey: (key: string) => Promise<void> }) {
  const id = useId();
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onKey(key.trim());
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      setBusy(false);
    }
  };
  return (
    <main id="main" class="sign-in">
      <form class="panel" onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-title`}>
        <h1 id={`${id}-title`}>Conveyor</h1>
        <p>
          Paste an API key. A key with <code>jobs:read</code> sees everything of its namespace; actions need{' '}
          <code>jobs:submit</code> (cancel, retry, redrive) or <code>queues:manage</code> (pause, resume,
          limits). The first start writes an admin key to <code>.data/admin-key</code>.
        </p>
        {notice !== null && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        <div class="field">
          <label for={`${id}-key`}>API key</label>
          <input
            id={`${id}-key`}
            type="password"
            autocomplete="off"
            spellcheck={false}
            required
            value={key}
            onInput={(event) => {
              setKey(event.currentTarget.value);
            }}
            aria-describedby={`${id}-kept`}
            autofocus
          />
          <p id={`${id}-kept`} class="hint">
            Kept in this browser tab only, until you sign out or close it.
          </p>
        </div>
        {error !== null && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
