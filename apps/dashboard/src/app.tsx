import { type Caller, ConveyorProblem } from '@conveyor/client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { DeadLetter } from './pages/dead-letter';
import { JobPage } from './pages/job';
import { Jobs } from './pages/jobs';
import { Overview } from './pages/overview';
import { Queues } from './pages/queues';
import { SignIn } from './pages/sign-in';
import { WorkflowPage } from './pages/workflow';
import { Workflows } from './pages/workflows';
import { href, type Route, useRoute } from './route';
import {
  clientFor,
  forgetKey,
  permissionsOf,
  type Session,
  SessionContext,
  storedKey,
  storeKey,
} from './session';
import { describeError, Failed, Loading } from './ui/states';

type Gate =
  | { state: 'signed-out'; notice: string | null }
  | { state: 'checking'; key: string }
  | { state: 'unreachable'; key: string; error: unknown }
  | { state: 'signed-in'; key: string; caller: Caller };

const REFUSED = 'The service refused the key: it is unknown, revoked or expired.';

/** The key gate, then the dashboard for the key's namespace. */
export function App() {
  const [gate, setGate] = useState<Gate>(() => {
    const key = storedKey();
    return key === null ? { state: 'signed-out', notice: null } : { state: 'checking', key };
  });
  const signOut = useCallback((notice: string | null) => {
    forgetKey();
    setGate({ state: 'signed-out', notice });
  }, []);

  /** Who the key is (GET /v1/me); a refused key is forgotten. */
  const check = useCallback(async (key: string): Promise<void> => {
    try {
      const caller = await clientFor(key, () => undefined).me();
      storeKey(key);
      setGate({ state: 'signed-in', key, caller });
    } catch (error) {
      if (error instanceof ConveyorProblem && error.status === 401) {
        forgetKey();
        throw new Error(REFUSED, { cause: error });
      }
      throw new Error(describeError(error), { cause: error });
    }
  }, []);

  useEffect(() => {
    if (gate.state !== 'checking') return;
    check(gate.key).catch((error: unknown) => {
      if (storedKey() === null) setGate({ state: 'signed-out', notice: REFUSED });
      else setGate({ state: 'unreachable', key: gate.key, error });
    });
  }, [gate, check]);

  switch (gate.state) {
    case 'signed-out':
      return <SignIn notice={gate.notice} onKey={check} />;
    case 'checking':
      return (
        <main id="main" class="sign-in">
          <Loading what="the dashboard" />
        </main>
      );
    case 'unreachable':
      return (
        <main id="main" class="sign-in">
          <Failed
            what="the dashboard"
            error={gate.error}
            retry={() => {
              setGate({ state: 'checking', key: gate.key });
            }}
          />
        </main>
      );
    case 'signed-in':
      return <Dashboard apiKey={gate.key} caller={gate.caller} signOut={signOut} />;
  }
}

const NAV: { label: string; route: Route; pages: Route['page'][] }[] = [
  { label: 'Overview', route: { page: 'overview' }, pages: ['overview'] },
  { label: 'Jobs', route: { page: 'jobs', filter: {} }, pages: ['jobs', 'job'] },
  { label: 'Workflows', route: { page: 'workflows' }, pages: ['workflows', 'workflow'] },
  { label: 'Dead letter', route: { page: 'dead-letter', filter: {} }, pages: ['dead-letter'] },
  { label: 'Queues', route: { page: 'queues' }, pages: ['queues'] },
];

const TITLES: Record<Route['page'], string> = {
  overview: 'Overview',
  jobs: 'Jobs',
  job: 'Job',
  workflows: 'Workflows',
  workflow: 'Workflow',
  'dead-letter': 'Dead letter',
  queues: 'Queues',
  'not-found': 'Not found',
};

function Dashboard({
  apiKey,
  caller,
  signOut,
}: {
  apiKey: string;
  caller: Caller;
  signOut: (notice: string | null) => void;
}) {
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const [announcement, setAnnouncement] = useState('');
  const session = useMemo<Session>(
    () => ({
      client: clientFor(apiKey, () => {
        signOut(REFUSED);
      }),
      caller,
      permissions: permissionsOf(caller),
      announce: setAnnouncement,
    }),
    [apiKey, caller, signOut],
  );
  const readOnly = !session.permissions.act && !session.permissions.manage;

  // A new page: its title, and the focus on its heading, as a page load would (not on the first).
  const firstPage = useRef(true);
  const routeKey = href(route);
  useEffect(() => {
    document.title = `${TITLES[route.page]} · Conveyor`;
    if (firstPage.current) {
      firstPage.current = false;
      return;
    }
    setAnnouncement('');
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [routeKey]);

  return (
    <SessionContext.Provider value={session}>
      <a
        class="skip-link"
        href="#main"
        onClick={(event) => {
          // The hash is the router's: move the focus without touching it.
          event.preventDefault();
          main.current?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={href({ page: 'overview' })}>
          Conveyor
        </a>
        <nav aria-label="Sections">
          <ul>
            {NAV.map((item) => (
              <li key={item.label}>
                <a
                  href={href(item.route)}
                  aria-current={item.pages.includes(route.page) ? 'page' : undefined}
                >
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span>
            {caller.name} · <span class="namespace">{caller.namespace}</span>
          </span>
          {readOnly && <span class="badge read-only">read-only</span>}
          <button
            type="button"
            class="small"
            onClick={() => {
              signOut(null);
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <p class="announcer" role="status" aria-live="polite">
          {announcement}
        </p>
        <Page route={route} />
      </main>
    </SessionContext.Provider>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview':
      return <Overview />;
    case 'jobs':
      return <Jobs filter={route.filter} />;
    case 'job':
      return <JobPage key={route.id} id={route.id} />;
    case 'workflows':
      return <Workflows />;
    case 'workflow':
      return <WorkflowPage key={route.id} id={route.id} />;
    case 'dead-letter':
      return <DeadLetter filter={route.filter} />;
    case 'queues':
      return <Queues />;
    case 'not-found':
      return (
        <>
          <h1 tabIndex={-1}>Not found</h1>
          <p>
            This dashboard has no such page. <a href={href({ page: 'overview' })}>Go to the overview</a>.
          </p>
        </>
      );
  }
}
