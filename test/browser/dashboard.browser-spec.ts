import { ConveyorClient, type Job, type SubmitJob, type Workflow } from '#conveyor/client';
import type { Browser, Page } from 'playwright-core';
import { type Instance, listen, startInstance, TEST_ADMIN_KEY } from '../support/app.js';
import {
  launchChromium,
  NARROW,
  openPage,
  screenshot,
  seriousViolations,
  type WatchedPage,
  WIDE,
} from '../support/browser.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { installInMemoryTracing } from '../support/tracing.js';

// The dashboard (apps/dashboard, docs/dashboard.md) in Chromium against the real service on real
// PostgreSQL: every page is checked by axe-core, photographed to test/artifacts/, and watched for
// Content-Security-Policy violations. Jobs are set up over REST, as any other client would.

// Jobs submitted while it is on carry the submit's trace, which the job page shows.
const tracing = installInMemoryTracing();

let db: TestDatabase;
let instance: Instance;
let base: string;
let browser: Browser;
let admin: ConveyorClient;
/** jobs:read only, in namespace default. */
let readOnlyKey: string;
const opened: WatchedPage[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  instance = await startInstance(db.url, { CONVEYOR_RATE_LIMIT_READ: '0', CONVEYOR_RATE_LIMIT_SUBMIT: '0' });
  base = `http://127.0.0.1:${await listen(instance.app)}`;
  admin = new ConveyorClient({ baseUrl: base, apiKey: TEST_ADMIN_KEY });
  readOnlyKey = await createKey('default', ['jobs:read']);
  browser = await launchChromium();
}, 60_000);
afterEach(async () => {
  for (const watched of opened.splice(0)) {
    const problems = await watched.problems();
    await watched.context.close();
    expect(problems).toEqual([]);
  }
});
afterAll(async () => {
  await browser.close();
  await instance.close();
  await db.drop();
  tracing.disable();
});

async function createKey(namespace: string, scopes: ('jobs:read' | 'jobs:submit')[]): Promise<string> {
  const { data } = await admin.api.POST('/v1/admin/api-keys', {
    body: { name: `browser ${scopes.join(' ')}`, namespace, scopes },
  });
  return data!.key;
}

/** A page of the dashboard, signed in with `key` through the form, as a person would. */
async function signedIn(
  key: string = TEST_ADMIN_KEY,
  viewport = WIDE,
  colorScheme: 'light' | 'dark' = 'light',
): Promise<Page> {
  const watched = await openPage(browser, viewport, colorScheme);
  opened.push(watched);
  const { page } = watched;
  await page.goto(`${base}/dashboard/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  return page;
}

async function go(page: Page, hash: string, heading: string | RegExp): Promise<void> {
  await page.goto(`${base}/dashboard/${hash}`);
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
}

/** No serious or critical axe violation, and a screenshot for the reviewer. */
async function inspect(page: Page, name: string): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
  await screenshot(page, name);
}

/** `n` jobs of `type` in `queue` that no handler runs: they stay pending. */
async function submit(
  queue: string,
  type: string,
  n: number,
  extra: Partial<SubmitJob> = {},
): Promise<Job[]> {
  const outcomes = await admin.submitBatch(
    Array.from({ length: n }, (_, index) => ({ type, queue, payload: { index }, ...extra })),
  );
  return Promise.all(outcomes.map(({ id }) => admin.getJob(id!)));
}

/** Jobs of `queue` that failed for good with `error`. */
async function deadLetters(queue: string, n: number, error: string): Promise<Job[]> {
  await submit(queue, `${queue}.doomed`, n);
  const claimed = await admin.claim({ queue, limit: n, leaseSeconds: 60, workerId: 'browser-test' });
  await admin.ack({
    fail: claimed.map(({ id, leaseToken }) => ({ id, leaseToken, error, retryable: false })),
  });
  return Promise.all(claimed.map(({ id }) => admin.getJob(id)));
}

/** How the dashboard names a job on screen (shortId in apps/dashboard/src/format.ts). */
const shortId = (id: string): string => id.slice(-8);

function rowOf(page: Page, job: Job) {
  return page.getByRole('row').filter({ has: page.getByRole('link', { name: new RegExp(shortId(job.id)) }) });
}

/** A diamond of nodes in `queue` that no handler runs: fetch, then left and right, then join. */
async function diamond(queue: string, name: string): Promise<Workflow> {
  const node = (ref: string, dependsOn: string[] = []) => ({
    ref,
    type: `${queue}.${ref}`,
    queue,
    payload: { ref },
    dependsOn,
  });
  const { workflow } = await admin.submitWorkflow({
    name,
    nodes: [
      node('fetch'),
      node('left', ['fetch']),
      node('right', ['fetch']),
      node('join', ['left', 'right']),
    ],
  });
  return workflow;
}

describe('the dashboard', () => {
  it('asks for a key, refuses a wrong one, and keeps the right one in the tab only', async () => {
    const watched = await openPage(browser);
    opened.push(watched);
    const { page } = watched;
    await page.goto(`${base}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/');
    await page.getByLabel('API key').waitFor();
    await inspect(page, 'sign-in-wide');

    await page.getByLabel('API key').fill('cvk_not-a-key-of-this-service');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'refused the key' }).waitFor();

    await page.getByLabel('API key').fill(TEST_ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(1);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    expect(page.url()).not.toContain(TEST_ADMIN_KEY);

    // Keyboard: the first Tab reaches the skip link, which moves the focus to the content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.id')).toBe('main');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  });

  it('overview: counts per queue change live when jobs are submitted over REST, with charts', async () => {
    // Some history for the charts: 4 completed, 2 dead-lettered; and one job left waiting.
    await submit('overview', 'overview.work', 6);
    const claimed = await admin.claim({ queue: 'overview', limit: 6, workerId: 'browser-test' });
    await admin.ack({
      complete: claimed.slice(0, 4).map(({ id, leaseToken }) => ({ id, leaseToken })),
      fail: claimed
        .slice(4)
        .map(({ id, leaseToken }) => ({ id, leaseToken, error: 'overloaded', retryable: false })),
    });
    await submit('overview', 'overview.wait', 1);
    const page = await signedIn();
    const pending = page
      .locator('table.counts tr', { has: page.getByRole('rowheader', { name: 'overview', exact: true }) })
      .locator('td[data-status="pending"]');
    await pending.filter({ hasText: /^1$/ }).waitFor();
    await page.evaluate('window.sameDocument = true');

    await submit('overview', 'overview.wait', 2);
    await pending.filter({ hasText: /^3$/ }).waitFor();
    expect(await page.evaluate('window.sameDocument')).toBe(true);

    const charts = page.getByRole('region', { name: 'overview' });
    await charts.locator('canvas').nth(1).waitFor();
    await charts.getByText('Last hour: 4 completed, 0 failed and retried, 2 dead-lettered.').waitFor();
    await charts.getByText('Last hour: 33 % of 6 finished attempts failed.').waitFor();
    await inspect(page, 'overview-wide');
  });

  it('jobs: filters by queue, type, status and error text, a page at a time', async () => {
    await submit('paging', 'paging.item', 55);
    await submit('paging', 'paging.other', 2);
    const failing = await submit('paging', 'paging.flaky', 2, { maxAttempts: 3 });
    const claimed = await admin.claim({
      queue: 'paging',
      types: ['paging.flaky'],
      limit: 2,
      workerId: 'browser-test',
    });
    await admin.ack({
      fail: claimed.map(({ id, leaseToken }) => ({
        id,
        leaseToken,
        error: `Upstream KaBoom for ${id}`,
        retryable: true,
      })),
    });
    const page = await signedIn();
    await go(page, '#/jobs', 'Jobs');
    await page.getByLabel('Queue').fill('paging');
    await page.getByLabel('Type').fill('paging.item');
    await page.getByLabel('Status').selectOption('pending');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('Page 1').waitFor();
    expect(new URL(page.url()).hash).toBe('#/jobs?queue=paging&type=paging.item&status=pending');
    const rows = page.getByRole('region', { name: 'Jobs, newest first' }).locator('tbody tr');
    await eventually(async () => {
      expect(await rows.count()).toBe(50);
    });
    await inspect(page, 'jobs-wide');

    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Page 2').waitFor();
    await eventually(async () => {
      expect(await rows.count()).toBe(5);
    });
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous' }).click();
    await eventually(async () => {
      expect(await rows.count()).toBe(50);
    });

    await page.getByRole('link', { name: 'Clear' }).click();
    await page.getByLabel('Error contains').fill('kaboom');
    await page.getByRole('button', { name: 'Filter' }).click();
    await eventually(async () => {
      expect(await rows.count()).toBe(2);
    });
    for (const job of failing) await rowOf(page, job).getByText('Upstream KaBoom').waitFor();
  });

  it('a job: payload, result, progress, the attempts as a timeline, errors and trace id', async () => {
    const [job] = await submit('timeline', 'timeline.step', 1, {
      maxAttempts: 3,
      backoff: { type: 'fixed', delayMs: 0, maxDelayMs: 0 },
    });
    const first = await admin.claim({ queue: 'timeline', limit: 1, workerId: 'worker-one' });
    await admin.ack({
      fail: [{ id: job!.id, leaseToken: first[0]!.leaseToken, error: 'first try broke', retryable: true }],
    });
    const second = await eventually(async () => {
      const claimed = await admin.claim({ queue: 'timeline', limit: 1, workerId: 'worker-two' });
      expect(claimed).toHaveLength(1);
      return claimed[0]!;
    });
    await admin.progress(job!.id, second.leaseToken, { percent: 60, data: { step: 'upload' } });
    await admin.ack({
      complete: [{ id: job!.id, leaseToken: second.leaseToken, result: { receipt: 'r-77' } }],
    });

    const page = await signedIn();
    await go(page, `#/jobs/${job!.id}`, /timeline\.step/);
    await page.getByRole('heading', { level: 1 }).getByText('completed').waitFor();
    const attempts = page.getByRole('region', { name: 'Attempts' }).getByRole('listitem');
    expect(await attempts.count()).toBe(2);
    await attempts.nth(0).getByText('failed, retry scheduled').waitFor();
    await attempts.nth(0).getByText('first try broke').waitFor();
    await attempts
      .nth(0)
      .getByText(/on worker-one/)
      .waitFor();
    await attempts.nth(1).getByText('completed').waitFor();
    await page.getByRole('region', { name: 'Payload' }).getByText('"index": 0').waitFor();
    await page.getByRole('region', { name: 'Result' }).getByText('"receipt": "r-77"').waitFor();
    await page.getByRole('region', { name: 'Progress' }).getByText('60 %').waitFor();
    await page.getByRole('region', { name: 'Last error' }).getByText('first try broke').waitFor();
    const traceId = job!.traceparent!.split('-')[1]!;
    await page.getByRole('region', { name: 'Summary' }).getByText(traceId).waitFor();
    await inspect(page, 'job-wide');
  });

  it('a workflow: its graph by status, a node leads to its job and back, cancel from the page', async () => {
    const workflow = await diamond('diamond', 'nightly-diamond');
    const [root] = await admin.claim({ queue: 'diamond', limit: 4, workerId: 'browser-test' });
    expect(root?.workflowRef).toBe('fetch');
    await admin.ack({ complete: [{ id: root!.id, leaseToken: root!.leaseToken, result: { rows: 3 } }] });

    const page = await signedIn();
    await go(page, '#/workflows', 'Workflows');
    const row = page
      .getByRole('region', { name: 'Workflows, newest first' })
      .getByRole('row', { name: /nightly-diamond/ });
    await row.getByText('1 of 4 completed, 2 pending, 1 waiting').waitFor();
    await inspect(page, 'workflows-wide');
    await row.getByRole('link').click();
    await page.getByRole('heading', { name: /^nightly-diamond/, level: 1 }).waitFor();
    expect(new URL(page.url()).hash).toBe(`#/workflows/${workflow.id}`);

    const graph = page.getByRole('region', { name: 'Graph of 4 nodes in 3 layers, from left to right' });
    const nodes = graph.getByRole('link');
    expect(await nodes.count()).toBe(4);
    expect(await graph.locator('path.dag-edge').count()).toBe(4);
    for (const [name, status] of [
      ['fetch: completed', 'completed'],
      ['left: pending, after fetch', 'pending'],
      ['right: pending, after fetch', 'pending'],
      ['join: waiting, after left, right', 'waiting'],
    ]) {
      const node = graph.getByRole('link', { name, exact: true });
      expect(await node.getAttribute('class')).toBe(`dag-node status-${status}`);
    }
    await inspect(page, 'workflow-wide');

    // Each node is a link in reading order: the keyboard reaches it, Enter opens its job.
    await graph.getByRole('link', { name: /^left:/ }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /^diamond\.left/, level: 1 }).waitFor();
    await inspect(page, 'workflow-node-wide');
    await page
      .getByRole('region', { name: 'Summary' })
      .getByRole('link', { name: /node left of/ })
      .click();
    await page.getByRole('heading', { name: /^nightly-diamond/, level: 1 }).waitFor();

    await page.getByRole('button', { name: 'Cancel workflow' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this workflow?' });
    await dialog.getByText('Its unfinished nodes (3) will not run').waitFor();
    await dialog.getByRole('button', { name: 'Cancel workflow' }).click();
    await page.getByRole('heading', { level: 1 }).getByText('cancelled').waitFor();
    await graph.getByRole('link', { name: 'join: cancelled, after left, right', exact: true }).waitFor();
    await graph.getByRole('link', { name: 'fetch: completed', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Cancel workflow' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Retry workflow' }).waitFor();
    expect((await admin.getWorkflow(workflow.id)).status).toBe('cancelled');
  });

  it('a workflow too big to draw: a note instead of the graph, its nodes a page at a time, by status', async () => {
    const { workflow } = await admin.submitWorkflow({
      name: 'wide-fan',
      nodes: Array.from({ length: 301 }, (_, n) => ({
        ref: `part-${n}`,
        type: 'big.part',
        queue: 'big',
        payload: {},
      })),
    });
    const [doomed] = await admin.claim({ queue: 'big', limit: 1, workerId: 'browser-test' });
    await admin.ack({
      fail: [{ id: doomed!.id, leaseToken: doomed!.leaseToken, error: 'part broke', retryable: false }],
    });

    const page = await signedIn();
    await go(page, `#/workflows/${workflow.id}`, /^wide-fan/);
    await page.getByText('301 nodes are too many to draw').waitFor();
    expect(await page.locator('svg.dag').count()).toBe(0);
    const rows = page
      .getByRole('region', { name: "The workflow's nodes, in the graph's order" })
      .locator('tbody tr');
    expect(await rows.count()).toBe(100);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Page 2').waitFor();
    await page.getByLabel('Status').selectOption('dead_letter');
    await eventually(async () => {
      expect(await rows.count()).toBe(1);
    });
    await rows.getByText('part broke').waitFor();
    await inspect(page, 'workflow-big-wide');
  });

  it('dead letter: select, confirm, redrive; the redriven jobs leave the list', async () => {
    const [first, second, third] = await deadLetters('dead', 3, 'gateway said no');
    const page = await signedIn();
    await go(page, '#/dead-letter?queue=dead', 'Dead letter');
    await inspect(page, 'dead-letter-wide');
    for (const job of [first!, second!]) await rowOf(page, job).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Redrive 2 selected' }).click();
    const dialog = page.getByRole('dialog', { name: 'Redrive these 2 dead letters?' });
    await dialog.waitFor();
    // Enter alone must not confirm: the focus starts on the harmless choice.
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Keep as is');
    await inspect(page, 'dead-letter-confirm-wide');
    await dialog.getByRole('button', { name: 'Redrive 2 jobs' }).click();
    await page.getByRole('status').filter({ hasText: 'Redrove 2 of 2 jobs.' }).first().waitFor();
    // The button that opened the dialog is disabled now (nothing selected): the focus goes to the content.
    await eventually(async () => {
      expect(await page.evaluate('document.activeElement.id')).toBe('main');
    });
    await rowOf(page, first!).waitFor({ state: 'detached' });
    await rowOf(page, second!).waitFor({ state: 'detached' });
    await rowOf(page, third!).waitFor();
    expect((await admin.getJob(first!.id)).status).toBe('pending');
    expect((await admin.getJob(third!.id)).status).toBe('dead_letter');
  });

  it('queues: pause and resume, limits, and cancel of a running job', async () => {
    await submit('ops', 'ops.long', 1);
    const [running] = await admin.claim({
      queue: 'ops',
      limit: 1,
      leaseSeconds: 60,
      workerId: 'busy-worker',
    });
    const page = await signedIn();
    await go(page, '#/queues', 'Queues');
    const row = page
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: 'ops', exact: true }) });

    await row.getByRole('button', { name: 'Pause ops' }).click();
    await page.getByRole('dialog', { name: 'Pause ops?' }).getByRole('button', { name: 'Pause' }).click();
    await row.getByText('paused', { exact: true }).waitFor();
    expect((await admin.queues()).find(({ queue }) => queue === 'ops')?.paused).toBe(true);
    await row.getByRole('button', { name: 'Resume ops' }).click();
    await row.getByText('running', { exact: true }).waitFor();

    // Escape closes a dialog, and the focus goes back to what opened it.
    await row.getByRole('button', { name: 'Limits of ops' }).click();
    await page.getByRole('dialog', { name: 'Limits of ops' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await eventually(async () => {
      expect(await page.evaluate('document.activeElement.getAttribute("aria-label")')).toBe('Limits of ops');
    });

    await row.getByRole('button', { name: 'Limits of ops' }).click();
    const limits = page.getByRole('dialog', { name: 'Limits of ops' });
    await limits.getByLabel('Jobs at once', { exact: true }).fill('3');
    await inspect(page, 'queues-limits-wide');
    await limits.getByRole('button', { name: 'Save limits' }).click();
    await row.getByText('at most 3 at once').waitFor();
    expect((await admin.queues()).find(({ queue }) => queue === 'ops')?.concurrencyLimit).toBe(3);

    const runningNow = page.getByRole('region', { name: 'Running jobs, newest first' });
    await runningNow.getByRole('checkbox', { name: new RegExp(shortId(running!.id)) }).check();
    await inspect(page, 'queues-wide');
    await page.getByRole('button', { name: 'Cancel 1 selected' }).click();
    await page
      .getByRole('dialog', { name: 'Cancel this job?' })
      .getByRole('button', { name: 'Cancel 1 job' })
      .click();
    await page.getByRole('status').filter({ hasText: 'Cancelled 1 of 1 job.' }).first().waitFor();
    expect((await admin.getJob(running!.id)).status).toBe('cancelled');
  });

  it('a read-only key sees everything and no action', async () => {
    const [doomed] = await deadLetters('readonly', 1, 'no way');
    await submit('readonly', 'readonly.wait', 1);
    const page = await signedIn(readOnlyKey);
    await page.getByText('read-only', { exact: true }).waitFor();

    await go(page, '#/dead-letter?queue=readonly', 'Dead letter');
    await rowOf(page, doomed!).waitFor();
    expect(await page.getByRole('checkbox').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Redrive/ }).count()).toBe(0);

    await go(page, `#/jobs/${doomed!.id}`, /readonly\.doomed/);
    await page.getByRole('region', { name: 'Attempts' }).getByText('no way').waitFor();
    expect(await page.getByRole('button', { name: /Retry|Cancel/ }).count()).toBe(0);

    await go(page, '#/jobs?queue=readonly', 'Jobs');
    await page.getByRole('region', { name: 'Jobs, newest first' }).waitFor();
    expect(await page.getByRole('checkbox').count()).toBe(0);

    const workflow = await diamond('readonly', 'readonly-diamond');
    await go(page, `#/workflows/${workflow.id}`, /^readonly-diamond/);
    await page.getByRole('link', { name: 'fetch: pending', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: /Retry|Cancel/ }).count()).toBe(0);

    await go(page, '#/queues', 'Queues');
    await page.getByRole('rowheader', { name: 'readonly', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: /Pause|Resume|Limits|Cancel/ }).count()).toBe(0);
    await inspect(page, 'queues-read-only-wide');
  });

  it('designed empty and error states; a key revoked while open leads back to the sign-in', async () => {
    const quietKey = await createKey('quiet', ['jobs:read']);
    const page = await signedIn(quietKey);
    await page.getByRole('heading', { name: 'No jobs yet' }).waitFor();
    await inspect(page, 'overview-empty-wide');
    await go(page, '#/dead-letter', 'Dead letter');
    await page.getByRole('heading', { name: 'No dead letters' }).waitFor();
    await inspect(page, 'dead-letter-empty-wide');

    // The service fails: the page says so, keeps trying, and recovers by itself.
    await page.route('**/v1/queues', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          type: 'urn:conveyor:problem:database-unavailable',
          title: 'The database is unavailable.',
          status: 503,
          detail: 'Try again later.',
        }),
      }),
    );
    await go(page, '#/queues', 'Queues');
    await page.getByRole('alert').filter({ hasText: 'Could not load queues' }).waitFor();
    await inspect(page, 'queues-error-wide');
    await page.unroute('**/v1/queues');
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: 'No queues yet' }).waitFor();

    const { data } = await admin.api.GET('/v1/admin/api-keys', { params: { query: { namespace: 'quiet' } } });
    const id = data!.keys.find(({ revokedAt }) => revokedAt === null)!.id;
    await admin.api.DELETE('/v1/admin/api-keys/{id}', { params: { path: { id } } });
    await page.getByRole('status').filter({ hasText: 'refused the key' }).waitFor();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  });

  it('at phone width, dark: every page fits, passes axe, and is photographed', async () => {
    const [doomed] = await deadLetters('narrow', 1, 'the narrow failure');
    const workflow = await diamond('narrow', 'narrow-diamond');
    const page = await signedIn(TEST_ADMIN_KEY, NARROW, 'dark');
    const pages: [string, string, string | RegExp][] = [
      ['overview', '#/', 'Overview'],
      ['jobs', '#/jobs', 'Jobs'],
      ['job', `#/jobs/${doomed!.id}`, /narrow\.doomed/],
      ['workflows', '#/workflows', 'Workflows'],
      ['workflow', `#/workflows/${workflow.id}`, /^narrow-diamond/],
      ['dead-letter', '#/dead-letter', 'Dead letter'],
      ['queues', '#/queues', 'Queues'],
    ];
    for (const [name, hash, heading] of pages) {
      await go(page, hash, heading);
      await eventually(async () => {
        expect(await page.locator('.loading').count()).toBe(0);
      });
      // Wide tables scroll inside their own region; the page itself never scrolls sideways.
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      await inspect(page, `${name}-narrow`);
    }
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    await inspect(page, 'sign-in-narrow');
  });

  it('runs under the service CSP, which refuses inline scripts (and the watch sees it)', async () => {
    const watched = await openPage(browser);
    const { page } = watched;
    await page.goto(`${base}/dashboard/`);
    await page.getByLabel('API key').waitFor();
    expect(await watched.problems()).toEqual([]);
    await page.evaluate(
      "document.body.append(Object.assign(document.createElement('script'), { textContent: 'window.ran = true' }))",
    );
    expect(await page.evaluate('window.ran')).toBeUndefined();
    await eventually(async () => {
      expect((await watched.problems()).join()).toMatch(/script-src/);
    });
    await watched.context.close();
  });
});
