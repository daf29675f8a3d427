/** The message of anything thrown, for log lines and recorded failures. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
