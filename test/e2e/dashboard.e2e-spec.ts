import { readdir, readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { type Instance, startInstance, startTestApp, type TestApp } from '../support/app.js';

// How the service serves the dashboard (apps/dashboard, docs/dashboard.md), built by `npm run
// build` into dist/dashboard: one page under the service's CSP, its hashed files cached for good,
// nothing of it in /openapi.json, and none of it on a worker. The browser suite drives the page
// itself (test/browser, npm run test:browser).

/** First load: every script the build makes is loaded by the page at once (one entry chunk). */
const JS_BUDGET_GZIPPED = 200 * 1024;
const BUILT = new URL('../../dashboard/', import.meta.url);

let t: TestApp;
let worker: Instance;
beforeAll(async () => {
  t = await startTestApp({ CONVEYOR_ROLE: 'api' });
  worker = await startInstance(t.db.url, { CONVEYOR_ROLE: 'worker' });
});
afterAll(async () => {
  await worker.close();
  await t.close();
});

const http = () => request(t.server);

it('sends /dashboard to /dashboard/, the page, revalidated on every load', async () => {
  const moved = await http().get('/dashboard').expect(301);
  expect(moved.headers['location']).toBe('/dashboard/');
  const page = await http().get('/dashboard/').expect(200);
  expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(page.headers['cache-control']).toBe('no-cache');
  expect(page.text).toContain('<div id="app"></div>');
});

it("keeps helmet's CSP, and the page has no inline script for it to refuse", async () => {
  const page = await http().get('/dashboard/').expect(200);
  const policy = page.headers['content-security-policy'] as string;
  expect(policy).toContain("script-src 'self';");
  expect(policy).toContain("script-src-attr 'none'");
  const scripts = [...page.text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
  expect(scripts.length).toBeGreaterThan(0);
  for (const [tag, body] of scripts) {
    expect(tag).toMatch(/ src="\/dashboard\/assets\/[^"]+\.js"/);
    expect(body).toBe('');
  }
});

it('serves the hashed scripts and styles the page names, cached for a year', async () => {
  const page = await http().get('/dashboard/').expect(200);
  const assets = [...page.text.matchAll(/(?:src|href)="(\/dashboard\/assets\/[^"]+)"/g)].map(
    ([, path]) => path!,
  );
  expect(assets.some((path) => path.endsWith('.js'))).toBe(true);
  expect(assets.some((path) => path.endsWith('.css'))).toBe(true);
  for (const path of assets) {
    const asset = await http().get(path).expect(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-security-policy']).toBeDefined();
  }
  const missing = await http().get('/dashboard/assets/nothing-here.js').expect(404);
  expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
});

it('is not in /openapi.json: it is a caller of the API, not part of it', async () => {
  const document = (await http().get('/openapi.json').expect(200)).body as { paths: Record<string, unknown> };
  expect(Object.keys(document.paths).filter((path) => path.startsWith('/dashboard'))).toEqual([]);
});

it('is not served by a worker, which serves health only', async () => {
  const server = worker.app.getHttpServer() as App;
  await request(server).get('/dashboard/').expect(404);
  await request(server).get('/dashboard').expect(404);
});

it(`loads at most ${JS_BUDGET_GZIPPED / 1024} KB of JavaScript, gzipped`, async () => {
  const assets = new URL('assets/', BUILT);
  const scripts = (await readdir(assets)).filter((name) => name.endsWith('.js'));
  expect(scripts.length).toBeGreaterThan(0);
  let gzipped = 0;
  for (const name of scripts) gzipped += gzipSync(await readFile(new URL(name, assets)), { level: 9 }).length;
  expect(gzipped).toBeLessThanOrEqual(JS_BUDGET_GZIPPED);
});
