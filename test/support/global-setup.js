// Plain JS: Jest loads global setup natively. Starts one PostgreSQL for the whole run unless
// DATABASE_URL names one; every test file then creates its own database on it (database.ts).
export default async function globalSetup() {
  const { startScratchPostgres } = await import('../../dist/libs/database/src/embedded/scratch-postgres.js');
  const server = await startScratchPostgres();
  globalThis.conveyorTestPostgres = server;
  process.env.CONVEYOR_TEST_SERVER_URL = server.url;
}
