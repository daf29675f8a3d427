import { type DirectoryStat, firstClosedDirectory } from './postgres-user.js';

const postgres = { uid: 101, gid: 104 };
const root = (mode: number): DirectoryStat => ({ mode, uid: 0, gid: 0 });

/** A file tree given as directory -> stat; a directory not listed is root's with mode 0755. */
const tree =
  (directories: Record<string, DirectoryStat>) =>
  (directory: string): DirectoryStat =>
    directories[directory] ?? root(0o755);

describe('firstClosedDirectory: can the postgres user reach a path', () => {
  it('reaches a path whose every directory lets others in', () => {
    expect(
      firstClosedDirectory('/srv/conveyor/node_modules/pg/bin/postgres', postgres, tree({})),
    ).toBeUndefined();
  });

  it('is stopped by the first directory closed to others on the way down (a checkout under /root)', () => {
    const stats = tree({ '/root': root(0o700), '/root/private': root(0o700) });
    expect(firstClosedDirectory('/root/private/c/.data/postgres', postgres, stats)).toBe('/root');
  });

  it('passes traverse-only directories (o+x without o+r)', () => {
    expect(
      firstClosedDirectory('/home/ada/c/.data/postgres', postgres, tree({ '/home/ada': root(0o711) })),
    ).toBeUndefined();
  });

  it('goes by the owner bits in a directory the user owns, and the group bits in its group', () => {
    const own = { mode: 0o700, uid: postgres.uid, gid: 0 };
    const group = { mode: 0o750, uid: 0, gid: postgres.gid };
    expect(
      firstClosedDirectory('/var/pg/a/cluster', postgres, tree({ '/var/pg': own, '/var/pg/a': group })),
    ).toBeUndefined();
    const ownerClosed = { mode: 0o077, uid: postgres.uid, gid: 0 };
    expect(firstClosedDirectory('/var/pg/cluster', postgres, tree({ '/var/pg': ownerClosed }))).toBe(
      '/var/pg',
    );
  });

  it('does not look at the path itself, which PostgreSQL makes and owns', () => {
    expect(
      firstClosedDirectory('/srv/.data/postgres', postgres, tree({ '/srv/.data/postgres': root(0o700) })),
    ).toBeUndefined();
  });
});
