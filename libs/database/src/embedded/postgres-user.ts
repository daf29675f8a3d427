import { execFileSync } from 'node:child_process';
import { type Stats, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** A system user's ids, as `spawn` takes them. */
export interface SystemUser {
  readonly uid: number;
  readonly gid: number;
}

const POSTGRES_USER = 'postgres';

function lookUp(name: string): SystemUser | undefined {
  const id = (flag: '-u' | '-g'): number =>
    Number(
      execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
    );
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

/**
 * Who runs PostgreSQL: we do (undefined), unless we are root, which PostgreSQL refuses to be; then
 * the `postgres` system user, made here when the machine has none.
 */
export function postgresRunAs(): SystemUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const existing = lookUp(POSTGRES_USER);
  if (existing !== undefined) return existing;
  // --force: a `postgres` group without the user is fine.
  execFileSync('groupadd', ['--force', '--system', POSTGRES_USER]);
  execFileSync('useradd', ['--system', '--no-create-home', '--gid', POSTGRES_USER, POSTGRES_USER]);
  const made = lookUp(POSTGRES_USER);
  if (made === undefined) throw new Error(`could not create the "${POSTGRES_USER}" system user`);
  return made;
}

export type DirectoryStat = Pick<Stats, 'mode' | 'uid' | 'gid'>;

/**
 * The first directory on the way from / down to `path` (not `path` itself) that `user` may not
 * enter, or undefined when every one lets it through. PostgreSQL is started with the user's own
 * group only (spawn drops supplementary groups), so owner, group and other bits decide.
 */
export function firstClosedDirectory(
  path: string,
  user: SystemUser,
  statOf: (directory: string) => DirectoryStat = statSync,
): string | undefined {
  const way: string[] = [];
  for (let directory = dirname(resolve(path)); ; directory = dirname(directory)) {
    way.unshift(directory);
    if (directory === dirname(directory)) break;
  }
  return way.find((directory) => {
    const { mode, uid, gid } = statOf(directory);
    const searchBit = uid === user.uid ? 0o100 : gid === user.gid ? 0o010 : 0o001;
    return (mode & searchBit) === 0;
  });
}
