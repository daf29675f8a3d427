export default async function globalTeardown() {
  await globalThis.conveyorTestPostgres?.stop();
}
