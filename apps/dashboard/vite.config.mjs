// @ts-check
// The dashboard's build (docs/dashboard.md): `npm run build` runs it after tsc, into
// dist/dashboard, which the service serves at /dashboard/.
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/dashboard/',
  plugins: [preact()],
  resolve: { alias: { '@conveyor/client': here('../../libs/client/src/index.ts') } },
  build: { outDir: here('../../dist/dashboard'), emptyOutDir: true },
  logLevel: 'warn',
});
