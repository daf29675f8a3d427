import { type Caller, ConveyorClient } from '@conveyor/client';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

// The API key is kept in this tab's sessionStorage only: it goes when the tab closes, and never
// into the URL, localStorage or a log (docs/dashboard.md).
const KEY_ITEM = 'conveyor.apiKey';

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY_ITEM);
}

export function storeKey(key: string): void {
  sessionStorage.setItem(KEY_ITEM, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(KEY_ITEM);
}

/**
 * A client of the service that serves this page. `onRefused` hears of every 401: the key was
 * revoked or expired while the page was open.
 */
export function clientFor(apiKey: string, onRefused: () => void): ConveyorClient {
  return new ConveyorClient({
    baseUrl: location.origin,
    apiKey,
    fetch: async (request) => {
      const response = await fetch(request);
      if (response.status === 401) onRefused();
      return response;
    },
  });
}

/** What the key may do besides reading: its scopes, as GET /v1/me tells them (docs/security.md). */
export interface Permissions {
  /** Cancel, retry and redrive jobs: `jobs:submit`. */
  act: boolean;
  /** Pause, resume and limit queues: `queues:manage`. */
  manage: boolean;
}

export function permissionsOf(caller: Caller): Permissions {
  const has = (scope: Caller['scopes'][number]) =>
    caller.scopes.includes(scope) || caller.scopes.includes('admin');
  return { act: has('jobs:submit'), manage: has('queues:manage') };
}

export interface Session {
  client: ConveyorClient;
  caller: Caller;
  permissions: Permissions;
  /** Says `message` in the page's live region (outcomes of actions). */
  announce: (message: string) => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession outside a signed-in page');
  return session;
}
