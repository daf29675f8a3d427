import type { Scope } from './scopes.js';

/** The API key behind a request, as the guard resolved it. Never holds the key itself. */
export interface Principal {
  readonly keyId: string;
  readonly name: string;
  readonly namespace: string;
  readonly scopes: readonly Scope[];
  /** Token-bucket rates per second; null uses the service default, 0 is unlimited. */
  readonly submitPerSecond: number | null;
  readonly readPerSecond: number | null;
  /** When the key stops working; null: never. */
  readonly expiresAt: Date | null;
}
