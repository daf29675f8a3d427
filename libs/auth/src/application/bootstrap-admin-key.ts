import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '#conveyor/config';
import { displayPrefix, generateApiKey, hashApiKey } from '../domain/api-key-secret.js';
import { API_KEY_STORE, type ApiKeyStore } from './ports/api-key-store.js';

/** The namespace of keys Conveyor makes itself. */
const BOOTSTRAP_NAMESPACE = 'default';

/**
 * Makes sure someone can call the API after the first start:
 * - CONVEYOR_BOOTSTRAP_ADMIN_KEY set: that key exists as an admin key (created if missing; a key
 *   an admin revoked stays revoked: removing a leaked key from the environment is the operator's
 *   move, not the service's).
 * - otherwise, on a database that never had a key: a new admin key, written to
 *   `<CONVEYOR_DATA_DIR>/admin-key` (mode 0600). The log names the file, never the key.
 */
@Injectable()
export class BootstrapAdminKey implements OnApplicationBootstrap {
  private readonly logger = new Logger('ApiKeys');

  constructor(
    @Inject(API_KEY_STORE) private readonly keys: ApiKeyStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const configured = this.config.auth.bootstrapAdminKey;
    await this.keys.underBootstrapLock(async (state) => {
      if (configured !== undefined) {
        const existing = await state.byHash(hashApiKey(configured));
        if (existing === null) {
          await state.insert(this.adminKey(configured, 'bootstrap (CONVEYOR_BOOTSTRAP_ADMIN_KEY)'));
          this.logger.log('created the admin key from CONVEYOR_BOOTSTRAP_ADMIN_KEY');
        } else if (existing.revokedAt !== null) {
          this.logger.warn(
            `CONVEYOR_BOOTSTRAP_ADMIN_KEY names key ${existing.id}, which was revoked; it stays revoked`,
          );
        }
        return;
      }
      if (state.anyKey) return;
      const key = generateApiKey();
      await state.insert(this.adminKey(key, 'first start'));
      // Written before the insert commits: a key nobody can read is never left behind.
      const file = resolve(join(this.config.dataDir, 'admin-key'));
      mkdirSync(this.config.dataDir, { recursive: true });
      writeFileSync(file, `${key}\n`, { mode: 0o600 });
      this.logger.warn(
        `no API key existed: created an admin key and wrote it to ${file} (readable by this user only)`,
      );
    });
  }

  private adminKey(key: string, name: string) {
    return {
      name,
      namespace: BOOTSTRAP_NAMESPACE,
      scopes: ['admin' as const],
      keyHash: hashApiKey(key),
      keyPrefix: displayPrefix(key),
      submitPerSecond: null,
      readPerSecond: null,
      expiresAt: null,
    };
  }
}
