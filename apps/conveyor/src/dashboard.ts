import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** Where `npm run build` leaves the dashboard (apps/dashboard, built by Vite): dist/dashboard. */
const BUILT = new URL('../../../dashboard/', import.meta.url);

/**
 * The dashboard at /dashboard/ (docs/dashboard.md): one page and its scripts, a caller of the API
 * like any other, so nothing of it is in /openapi.json. Served under the same helmet headers as
 * every answer: its scripts are files of this origin, none inline.
 */
export function serveDashboard(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  // The router ignores trailing slashes, so this route answers /dashboard too: that is sent to
  // /dashboard/, the page's one address. The page names the current scripts: revalidated each time.
  fastify.get('/dashboard', async (request, reply) => {
    if (!/^\/dashboard\/(\?|$)/.test(request.url)) return reply.redirect('/dashboard/', 301);
    const page = await readFile(new URL('index.html', BUILT)).catch(() => null);
    if (page === null) {
      reply.callNotFound();
      return reply;
    }
    return reply.header('Cache-Control', 'no-cache').type('text/html; charset=utf-8').send(page);
  });
  // Scripts and styles have their content's hash in their names: a new build makes new names.
  void app.register(fastifyStatic, {
    root: fileURLToPath(new URL('assets/', BUILT)),
    prefix: '/dashboard/assets/',
    decorateReply: false,
    index: false,
    maxAge: '1y',
    immutable: true,
  });
}
