import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The checker CI runs (npm run k8s:check), run as CI runs it, on copies of deploy/k8s: the real
// manifests pass, and each kind of mistake it exists to catch makes it fail, naming the mistake.
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const CHECKER = join(REPO, 'scripts/check-k8s.mjs');
const MANIFESTS = join(REPO, 'deploy/k8s');

interface Outcome {
  code: number;
  output: string;
}

function check(dir: string): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CHECKER, dir], { cwd: REPO }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code ?? 1), output: `${stdout}${stderr}` });
    });
  });
}

/** Replaces text in one file of the copy; a change that no longer applies fails the test, not passes it. */
function edit(dir: string, file: string, from: string, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} no longer contains ${JSON.stringify(from)}`);
  writeFileSync(path, text.replace(from, to));
}

let scratch: string;
let copies = 0;
function copy(): string {
  const dir = join(scratch, `k8s-${++copies}`);
  cpSync(MANIFESTS, dir, { recursive: true });
  return dir;
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'conveyor-k8s-'));
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('scripts/check-k8s.mjs', () => {
  it('passes the manifests as they are, copied elsewhere', async () => {
    const { code, output } = await check(copy());
    expect(output).toContain('2 kustomization(s)');
    expect(code).toBe(0);
  });

  const breakages: [string, (dir: string) => void, RegExp][] = [
    [
      'a value of the wrong type',
      (dir) => {
        edit(dir, 'pgbouncer.yaml', 'replicas: 2', 'replicas: two');
      },
      /pgbouncer\.yaml#1 \(Deployment\/conveyor-pgbouncer\): \/spec\/replicas must be integer/,
    ],
    [
      'a field the schema does not know (a typo)',
      (dir) => {
        edit(dir, 'worker.yaml', 'readinessProbe:', 'readinessProbes:');
      },
      /containers\/0\/readinessProbes: unknown field/,
    ],
    [
      'a YAML 1.1 boolean where Kubernetes wants a string',
      (dir) => {
        edit(dir, 'migrate-job.yaml', "value: 'off'", 'value: off');
      },
      /env\/2\/value must be string/,
    ],
    [
      'YAML that does not parse',
      (dir) => {
        edit(dir, 'api.yaml', 'maxSurge: 1', 'maxSurge: [1');
      },
      /api\.yaml#1: YAML: /,
    ],
    [
      'a Service whose selector matches no pods',
      (dir) => {
        edit(
          dir,
          'pgbouncer.yaml',
          'spec:\n  selector:\n    app.kubernetes.io/name: pgbouncer',
          'spec:\n  selector:\n    app.kubernetes.io/name: pg-bouncer',
        );
      },
      /Service\/conveyor-pgbouncer\): its selector matches no workload/,
    ],
    [
      'a Service port naming no container port',
      (dir) => {
        edit(dir, 'api.yaml', 'targetPort: http', 'targetPort: web');
      },
      /port http targets web, which conveyor-api's containers do not declare/,
    ],
    [
      'a Secret key that the example does not describe',
      (dir) => {
        edit(dir, 'migrate-job.yaml', 'key: CONVEYOR_BOOTSTRAP_ADMIN_KEY', 'key: BOOTSTRAP_KEY');
      },
      /Secret conveyor-secrets has no key BOOTSTRAP_KEY/,
    ],
    [
      'a setting Conveyor does not read',
      (dir) => {
        edit(dir, 'conveyor.env', 'CONVEYOR_LISTEN=false', 'CONVEYOR_LISTN=false');
      },
      /CONVEYOR_LISTN is not a variable Conveyor reads/,
    ],
    [
      'replicas that would run migrations',
      (dir) => {
        edit(dir, 'conveyor.env', 'CONVEYOR_MIGRATIONS_RUN=false\n', '');
      },
      /conveyor-api\) container conveyor: replicas must run with CONVEYOR_MIGRATIONS_RUN=false/,
    ],
    [
      'a grace period shorter than the drain',
      (dir) => {
        edit(dir, 'worker.yaml', 'terminationGracePeriodSeconds: 40', 'terminationGracePeriodSeconds: 20');
      },
      /terminationGracePeriodSeconds \(20\) must outlast/,
    ],
    [
      'a file the kustomization does not list',
      (dir) => {
        writeFileSync(join(dir, 'extra.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n');
      },
      /kustomization\.yaml: extra\.yaml is not listed/,
    ],
    [
      'an autoscaler whose target keeps its own replica count',
      (dir) => {
        edit(dir, 'queue-depth-autoscaling/kustomization.yaml', 'op: remove', 'op: replace');
        edit(
          dir,
          'queue-depth-autoscaling/kustomization.yaml',
          'path: /spec/replicas',
          'path: /spec/replicas\n        value: 3',
        );
      },
      /sets spec\.replicas, which every apply would reset under the autoscaler/,
    ],
  ];

  it.each(breakages)('fails on %s', async (_name, breakage, expected) => {
    const dir = copy();
    breakage(dir);
    const { code, output } = await check(dir);
    expect(output).toMatch(expected);
    expect(code).toBe(1);
  });
});
