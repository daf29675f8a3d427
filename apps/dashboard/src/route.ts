import { useEffect, useState } from 'preact/hooks';
import { type JobStatus, jobStatusOf } from './ui/status';

// Hash routing (`#/jobs/<id>`): the service serves one index.html, and filters stay in the
// address, so a filtered list can be linked and the back button undoes a filter.

/** A list's filter, as typed into its form: empty fields are left out. */
export interface Filter {
  queue?: string;
  type?: string;
  status?: JobStatus;
  error?: string;
}

export type Route =
  | { page: 'overview' }
  | { page: 'jobs'; filter: Filter }
  | { page: 'job'; id: string }
  | { page: 'workflows' }
  | { page: 'workflow'; id: string }
  | { page: 'dead-letter'; filter: Filter }
  | { page: 'queues' }
  | { page: 'not-found' };

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?', 2);
  const parts = path.split('/').filter((part) => part !== '');
  const filter = filterOf(new URLSearchParams(search));
  if (parts.length === 0) return { page: 'overview' };
  if (parts[0] === 'jobs' && parts.length === 1) return { page: 'jobs', filter };
  if (parts[0] === 'jobs' && parts.length === 2)
    return { page: 'job', id: decodeURIComponent(parts[1] ?? '') };
  if (parts[0] === 'workflows' && parts.length === 1) return { page: 'workflows' };
  if (parts[0] === 'workflows' && parts.length === 2)
    return { page: 'workflow', id: decodeURIComponent(parts[1] ?? '') };
  if (parts[0] === 'dead-letter' && parts.length === 1) {
    delete filter.status;
    return { page: 'dead-letter', filter };
  }
  if (parts[0] === 'queues' && parts.length === 1) return { page: 'queues' };
  return { page: 'not-found' };
}

function filterOf(params: URLSearchParams): Filter {
  const filter: Filter = {};
  for (const field of ['queue', 'type', 'error'] as const) {
    const value = params.get(field)?.trim();
    if (value) filter[field] = value;
  }
  const status = jobStatusOf(params.get('status'));
  if (status !== undefined) filter.status = status;
  return filter;
}

/** The address of a page. */
export function href(route: Route): string {
  switch (route.page) {
    case 'overview':
      return '#/';
    case 'jobs':
      return `#/jobs${search(route.filter)}`;
    case 'job':
      return `#/jobs/${encodeURIComponent(route.id)}`;
    case 'workflows':
      return '#/workflows';
    case 'workflow':
      return `#/workflows/${encodeURIComponent(route.id)}`;
    case 'dead-letter':
      return `#/dead-letter${search(route.filter)}`;
    case 'queues':
      return '#/queues';
    case 'not-found':
      return '#/';
  }
}

function search(filter: Filter): string {
  const params = new URLSearchParams();
  for (const field of ['queue', 'type', 'status', 'error'] as const) {
    const value = filter[field];
    if (value !== undefined) params.set(field, value);
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** The route of the address bar, kept current. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const follow = () => {
      setRoute(parseRoute(location.hash));
    };
    window.addEventListener('hashchange', follow);
    return () => {
      window.removeEventListener('hashchange', follow);
    };
  }, []);
  return route;
}
