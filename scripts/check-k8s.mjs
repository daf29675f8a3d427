// Checks the Kubernetes manifests without a cluster (npm run k8s:check; docs/kubernetes.md). For every
// kustomization.yaml under the directory (deploy/k8s by default) it renders what `kubectl apply -k`
// sends, for the kustomize fields used there (anything else is refused, never silently skipped):
//   - each object is validated against the Kubernetes OpenAPI schemas by the validators that
//     kubernetes-models compiles from them, and a field the schemas do not know is an error, as it
//     is for the API server's strict field validation;
//   - what the schemas cannot see: selectors match pod labels, Services and probes name ports that
//     exist, every ConfigMap, Secret and key referenced exists, an autoscaler's target exists, has
//     the resource requests it scales on and leaves it the replica count, every file is listed;
//   - Conveyor's own rules: each variable given to a Conveyor container is one libs/config reads,
//     the ports match PORT and CONVEYOR_METRICS_PORT, Deployments never run migrations and the Job
//     does, and each grace period outlasts the preStop pause and the drain.
// Secrets are never in the repository: *.example.yaml files show their names and keys, are checked
// like the rest, and must not be listed by a kustomization.
// Usage: node scripts/check-k8s.mjs [directory]. Exits 1 listing every problem.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

const root = resolve(process.argv[2] ?? 'deploy/k8s');
const problems = new Set();
const report = (where, message) => problems.add(`${where}: ${message}`);
const show = (path) => relative(process.cwd(), path) || '.';

/** The kustomization fields this check renders. */
const KUSTOMIZATION_FIELDS = new Set([
  'apiVersion',
  'kind',
  'namespace',
  'resources',
  'configMapGenerator',
  'images',
  'patches',
]);
const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);
const CONVEYOR_IMAGE = 'conveyor';
const CONVEYOR_DEFAULTS = {
  PORT: '3000',
  CONVEYOR_METRICS_PORT: '9464',
  CONVEYOR_SHUTDOWN_GRACE_MS: '25000',
};

/** Every variable loadConfig() reads, from its source, plus those read outside it. */
function conveyorVariables() {
  const source = readFileSync(new URL('../libs/config/src/config.ts', import.meta.url), 'utf8');
  const names = new Set(['NODE_ENV', 'NODE_OPTIONS']);
  for (const match of source.matchAll(/env\[\s*'([A-Z0-9_]+)'\s*\]|\(\s*env,\s*'([A-Z0-9_]+)'/g)) {
    names.add(match[1] ?? match[2]);
  }
  if (!names.has('DATABASE_URL') || !names.has('CONVEYOR_ROLE')) {
    throw new Error('libs/config/src/config.ts no longer reads variables the way this check expects');
  }
  return names;
}
const knownVariable = (names, name) => names.has(name) || name.startsWith('OTEL_');

/** Kubernetes reads YAML 1.1: `on`, `yes` and `off` are booleans there, 0644 is octal. */
function loadYaml(path) {
  const text = readFileSync(path, 'utf8');
  const documents = parseAllDocuments(text, { version: '1.1' });
  const loaded = [];
  for (const [index, document] of documents.entries()) {
    const source = `${show(path)}#${index + 1}`;
    for (const error of document.errors) report(source, `YAML: ${error.message.split('\n')[0]}`);
    if (document.errors.length > 0) continue;
    const object = document.toJS();
    if (object === null || object === undefined) continue;
    if (typeof object !== 'object' || Array.isArray(object)) {
      report(source, 'not a Kubernetes object');
      continue;
    }
    loaded.push({ object, source });
  }
  return loaded;
}

/** kustomize's env files: KEY=VALUE lines, # comments. */
function envFile(path, where) {
  const data = {};
  for (const [index, raw] of readFileSync(path, 'utf8').split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const equals = line.indexOf('=');
    if (equals <= 0) {
      report(where, `${basename(path)}:${index + 1}: not KEY=VALUE`);
      continue;
    }
    data[line.slice(0, equals)] = line.slice(equals + 1);
  }
  return data;
}

/** The objects `kubectl apply -k dir` would send, read afresh (an overlay's patch changes its own copy). */
function render(dir) {
  const file = join(dir, 'kustomization.yaml');
  const where = show(file);
  const [kustomization, ...extra] = loadYaml(file).map(({ object }) => object);
  if (kustomization === undefined || extra.length > 0) {
    report(where, 'must hold one kustomization');
    return [];
  }
  if (
    kustomization.apiVersion !== 'kustomize.config.k8s.io/v1beta1' ||
    kustomization.kind !== 'Kustomization'
  ) {
    report(where, 'not a kustomize.config.k8s.io/v1beta1 Kustomization');
  }
  for (const field of Object.keys(kustomization)) {
    if (!KUSTOMIZATION_FIELDS.has(field)) report(where, `${field}: this check does not render it yet`);
  }

  const objects = [];
  const listed = new Set(['kustomization.yaml']);
  const use = (entry) => {
    const path = resolve(dir, entry);
    listed.add(relative(dir, path));
    if (!existsSync(path)) report(where, `${entry} does not exist`);
    return existsSync(path) ? path : undefined;
  };
  for (const entry of kustomization.resources ?? []) {
    const path = use(entry);
    if (path === undefined) continue;
    if (statSync(path).isDirectory()) {
      if (existsSync(join(path, 'kustomization.yaml'))) objects.push(...render(path));
      else report(where, `${entry}: a directory without kustomization.yaml`);
    } else if (basename(path).includes('.example.')) {
      report(where, `${entry}: an example, never to be applied`);
    } else {
      objects.push(...loadYaml(path));
    }
  }
  for (const generator of kustomization.configMapGenerator ?? []) {
    const source = `${where} configMapGenerator ${generator.name}`;
    for (const field of Object.keys(generator)) {
      if (!['name', 'files', 'envs'].includes(field))
        report(source, `${field}: this check does not render it yet`);
    }
    const data = {};
    for (const entry of generator.files ?? []) {
      const [key, name] = entry.includes('=') ? entry.split('=', 2) : [basename(entry), entry];
      const path = use(name);
      if (path !== undefined) data[key] = readFileSync(path, 'utf8');
    }
    for (const entry of generator.envs ?? []) {
      const path = use(entry);
      if (path !== undefined) Object.assign(data, envFile(path, source));
    }
    objects.push({
      object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: generator.name }, data },
      source,
    });
  }
  for (const patch of kustomization.patches ?? []) applyPatch(objects, patch, `${where} patches`);
  for (const { object } of objects) {
    if (kustomization.namespace !== undefined)
      object.metadata = { ...object.metadata, namespace: kustomization.namespace };
  }
  for (const image of kustomization.images ?? []) {
    const used = objects.some(({ object }) =>
      containers(podSpec(object)).some((container) => isImage(container.image, image.name)),
    );
    if (!used) report(where, `images: no container uses ${image.name}`);
  }

  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!existsSync(join(path, 'kustomization.yaml')))
        report(show(path), 'a directory without kustomization.yaml');
    } else if (!listed.has(name) && !name.includes('.example.')) {
      report(where, `${name} is not listed: add it to resources or a generator, or remove it`);
    }
  }
  return objects;
}

/** JSON 6902 patches (add, remove, replace), the kind used to hand a count to an autoscaler. */
function applyPatch(objects, { target = {}, patch, ...rest }, where) {
  for (const field of Object.keys(rest)) report(where, `${field}: this check does not render it yet`);
  const matches = objects.filter(
    ({ object }) => object.kind === target.kind && object.metadata?.name === target.name,
  );
  if (matches.length !== 1) {
    report(where, `target ${target.kind}/${target.name} matches ${matches.length} objects, not 1`);
    return;
  }
  const [{ object }] = matches;
  for (const { op, path, value } of parse(patch ?? '') ?? []) {
    const keys = String(path)
      .split('/')
      .slice(1)
      .map((key) => key.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = keys.pop();
    const parent = keys.reduce((node, key) => node?.[key], object);
    if (parent === null || typeof parent !== 'object' || (op !== 'add' && !(last in parent))) {
      report(where, `${op} ${path}: no such path in ${target.kind}/${target.name}`);
    } else if (op === 'remove') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (op === 'add' || op === 'replace') {
      if (Array.isArray(parent) && last === '-') parent.push(value);
      else parent[last] = value;
    } else {
      report(where, `${op}: this check applies add, remove and replace only`);
    }
  }
}

/**
 * The compiled validators accept fields their schema does not declare (the schemas leave
 * additionalProperties open), so a misspelt `readinessProbes` would pass. They read every property
 * their schema declares, and enumerate only maps (labels, data, resources): a key of an object
 * that was neither read nor enumerated is unknown to the schema.
 */
function watchReads(value, path, records) {
  if (value === null || typeof value !== 'object') return value;
  const record = { value, path, read: new Set(), enumerated: false };
  records.push(record);
  const children = new Map();
  return new Proxy(value, {
    get(target, key, receiver) {
      const child = Reflect.get(target, key, receiver);
      if (typeof key !== 'string') return child;
      record.read.add(key);
      if (child === null || typeof child !== 'object') return child;
      if (!children.has(key)) children.set(key, watchReads(child, `${path}/${key}`, records));
      return children.get(key);
    },
    ownKeys(target) {
      record.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}

async function validate({ object, source }) {
  const { apiVersion, kind } = object;
  const where = `${source} (${kind}/${object.metadata?.name})`;
  if (!/^[a-z0-9.]+(\/[a-z0-9]+)?$/.test(apiVersion ?? '') || !/^[A-Z][A-Za-z]+$/.test(kind ?? '')) {
    report(where, 'needs an apiVersion and a kind');
    return;
  }
  let model;
  try {
    model = (await import(`kubernetes-models/${apiVersion}/${kind}`))[kind];
  } catch {
    report(where, `${apiVersion} ${kind} is not a Kubernetes API kind`);
    return;
  }
  const records = [];
  try {
    model.prototype.validate.call(watchReads(object, '', records));
  } catch (error) {
    report(where, error instanceof Error ? error.message.replaceAll('data/', '/') : String(error));
  }
  for (const { value, path, read, enumerated } of records) {
    if (enumerated || Array.isArray(value)) continue;
    for (const key of Object.keys(value)) {
      if (!read.has(key)) report(where, `${path}/${key}: unknown field`);
    }
  }
}

function podSpec(object) {
  if (object.kind === 'CronJob') return object.spec?.jobTemplate?.spec?.template?.spec;
  return POD_TEMPLATE_KINDS.has(object.kind) ? object.spec?.template?.spec : undefined;
}
/** `name`, `name:tag` or `name@digest`. */
const isImage = (image, name) =>
  image === name || (image?.startsWith(name) === true && /^[:@]/.test(image.slice(name.length)));
const containers = (pod) => [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])];
const isSubset = (selector, labels) =>
  Object.keys(selector ?? {}).length > 0 &&
  Object.entries(selector).every(([key, value]) => labels?.[key] === value);
const falsy = (value) => ['0', 'false', 'no', 'off'].includes(String(value).trim().toLowerCase());

/** What a container's process sees: envFrom ConfigMaps, then env (undefined: from a Secret or field). */
function environment(container, configMaps) {
  const variables = new Map();
  for (const { configMapRef } of container.envFrom ?? []) {
    const configMap = configMaps.get(configMapRef?.name);
    for (const [name, value] of Object.entries(configMap?.data ?? {})) {
      variables.set(name, { value, origin: configMap.source });
    }
  }
  for (const { name, value } of container.env ?? []) variables.set(name, { value, origin: 'env' });
  return variables;
}

/** Cross-references within what one kustomization renders, plus the example Secrets. */
function checkReferences(objects, examples, variables, secretUses) {
  const seen = new Set();
  for (const { object, source } of objects) {
    const key = `${object.kind}/${object.metadata?.namespace}/${object.metadata?.name}`;
    if (seen.has(key)) report(source, `${key} is defined twice`);
    seen.add(key);
  }
  const dataKeys = (object) => Object.keys({ ...object.data, ...object.binaryData, ...object.stringData });
  const configMaps = new Map(
    objects
      .filter(({ object }) => object.kind === 'ConfigMap')
      .map(({ object, source }) => [object.metadata.name, { data: object.data ?? {}, source }]),
  );
  const secrets = new Map(
    [...objects, ...examples]
      .filter(({ object }) => object.kind === 'Secret')
      .map(({ object }) => [object.metadata.name, dataKeys(object)]),
  );
  const workloads = objects.filter(({ object }) => podSpec(object) !== undefined);

  const needConfigMap = (where, name, key, optional) => {
    if (!configMaps.has(name)) {
      if (!optional) report(where, `ConfigMap ${name} is not defined`);
    } else if (key !== undefined && !(key in configMaps.get(name).data)) {
      report(where, `ConfigMap ${name} has no key ${key}`);
    }
  };
  const needSecret = (where, name, key) => {
    secretUses.push({ name, key });
    if (!secrets.has(name)) report(where, `Secret ${name} is neither defined nor described by an example`);
    else if (key !== undefined && !secrets.get(name).includes(key)) {
      report(where, `Secret ${name} has no key ${key} (optional ones too belong in the example)`);
    }
  };

  for (const { object, source } of workloads) {
    const where = `${source} (${object.kind}/${object.metadata?.name})`;
    const pod = podSpec(object);
    const template = object.kind === 'CronJob' ? object.spec.jobTemplate.spec.template : object.spec.template;
    if (object.kind !== 'Job' && object.kind !== 'CronJob') {
      if (object.spec.selector?.matchExpressions !== undefined)
        report(where, 'matchExpressions: not checked yet');
      if (!isSubset(object.spec.selector?.matchLabels, template.metadata?.labels)) {
        report(where, 'spec.selector.matchLabels does not select the pod template labels');
      }
    }
    const volumes = new Map((pod.volumes ?? []).map((volume) => [volume.name, volume]));
    for (const volume of volumes.values()) {
      if (volume.configMap !== undefined) {
        needConfigMap(where, volume.configMap.name, undefined, volume.configMap.optional);
        for (const item of volume.configMap.items ?? [])
          needConfigMap(where, volume.configMap.name, item.key);
      }
      if (volume.secret !== undefined) {
        if ((volume.secret.items ?? []).length === 0) needSecret(where, volume.secret.secretName);
        for (const item of volume.secret.items ?? []) needSecret(where, volume.secret.secretName, item.key);
      }
    }
    for (const container of containers(pod)) {
      const at = `${where} container ${container.name}`;
      const ports = new Map((container.ports ?? []).map((port) => [port.name, port.containerPort]));
      const handlers = [
        container.startupProbe,
        container.livenessProbe,
        container.readinessProbe,
        container.lifecycle?.preStop,
        container.lifecycle?.postStart,
      ];
      for (const handler of handlers) {
        const port = handler?.httpGet?.port ?? handler?.tcpSocket?.port;
        if (typeof port === 'string' && !ports.has(port))
          report(at, `a probe or hook names port ${port}, which it does not declare`);
      }
      for (const { configMapRef, secretRef } of container.envFrom ?? []) {
        if (configMapRef !== undefined)
          needConfigMap(at, configMapRef.name, undefined, configMapRef.optional);
        if (secretRef !== undefined) needSecret(at, secretRef.name);
      }
      for (const { valueFrom } of container.env ?? []) {
        const { configMapKeyRef, secretKeyRef } = valueFrom ?? {};
        if (configMapKeyRef !== undefined)
          needConfigMap(at, configMapKeyRef.name, configMapKeyRef.key, configMapKeyRef.optional);
        if (secretKeyRef !== undefined) needSecret(at, secretKeyRef.name, secretKeyRef.key);
      }
      for (const mount of container.volumeMounts ?? []) {
        if (!volumes.has(mount.name))
          report(at, `mounts volume ${mount.name}, which the pod does not declare`);
      }
      if (isImage(container.image, CONVEYOR_IMAGE)) {
        checkConveyor(object, pod, container, at, environment(container, configMaps), variables);
      }
    }
  }

  const served = workloads.filter(({ object }) => object.kind !== 'Job' && object.kind !== 'CronJob');
  const selecting = (selector, namespace) =>
    served.filter(
      ({ object }) =>
        object.metadata?.namespace === namespace && isSubset(selector, object.spec.template.metadata?.labels),
    );
  for (const { object, source } of objects) {
    const where = `${source} (${object.kind}/${object.metadata?.name})`;
    const namespace = object.metadata?.namespace;
    if (object.kind === 'Service') {
      const selected = selecting(object.spec?.selector, namespace);
      if (selected.length === 0) report(where, 'its selector matches no workload’s pods');
      for (const port of object.spec?.ports ?? []) {
        const target = port.targetPort ?? port.port;
        for (const { object: workload } of selected) {
          const declared = containers(podSpec(workload)).flatMap((container) => container.ports ?? []);
          if (
            !declared.some((candidate) => candidate.name === target || candidate.containerPort === target)
          ) {
            report(
              where,
              `port ${port.name ?? port.port} targets ${target}, which ${workload.metadata.name}'s containers do not declare`,
            );
          }
        }
      }
    }
    if (
      object.kind === 'PodDisruptionBudget' &&
      selecting(object.spec?.selector?.matchLabels, namespace).length === 0
    ) {
      report(where, 'its selector matches no workload’s pods');
    }
    if (object.kind === 'HorizontalPodAutoscaler') {
      const ref = object.spec?.scaleTargetRef ?? {};
      const target = objects.find(
        ({ object: candidate }) =>
          candidate.kind === ref.kind &&
          candidate.apiVersion === ref.apiVersion &&
          candidate.metadata?.name === ref.name &&
          candidate.metadata?.namespace === namespace,
      )?.object;
      if (target === undefined) {
        report(where, `scales ${ref.apiVersion} ${ref.kind}/${ref.name}, which is not defined`);
        continue;
      }
      if (target.spec?.replicas !== undefined) {
        report(
          where,
          `${ref.kind}/${ref.name} sets spec.replicas, which every apply would reset under the autoscaler`,
        );
      }
      for (const metric of object.spec?.metrics ?? []) {
        if (metric.type !== 'Resource') continue;
        for (const container of podSpec(target)?.containers ?? []) {
          if (container.resources?.requests?.[metric.resource.name] === undefined) {
            report(
              where,
              `scales on ${metric.resource.name}, which container ${container.name} does not request`,
            );
          }
        }
      }
    }
  }
}

/** Conveyor reads its environment once (libs/config): what it is given must mean something to it. */
function checkConveyor(workload, pod, container, at, env, variables) {
  for (const [name, { origin }] of env) {
    if (!knownVariable(variables, name)) {
      report(
        origin === 'env' ? at : origin,
        `${name} is not a variable Conveyor reads (libs/config/src/config.ts)`,
      );
    }
  }
  const setting = (name) => (env.has(name) ? env.get(name).value : CONVEYOR_DEFAULTS[name]);
  const ports = new Map((container.ports ?? []).map((port) => [port.name, String(port.containerPort)]));
  if (ports.has('http') && setting('PORT') !== ports.get('http')) {
    report(at, `port http is ${ports.get('http')} but PORT is ${setting('PORT')}`);
  }
  const metricsPort = setting('CONVEYOR_METRICS_PORT');
  if (ports.has('metrics') && metricsPort !== ports.get('metrics')) {
    report(at, `port metrics is ${ports.get('metrics')} but CONVEYOR_METRICS_PORT is ${metricsPort}`);
  }
  const migrates = !env.has('CONVEYOR_MIGRATIONS_RUN') || !falsy(env.get('CONVEYOR_MIGRATIONS_RUN').value);
  if (workload.kind === 'Job' && !migrates) report(at, 'a migration Job needs CONVEYOR_MIGRATIONS_RUN=true');
  if (workload.kind !== 'Job' && migrates) {
    report(at, 'replicas must run with CONVEYOR_MIGRATIONS_RUN=false: the migration Job applies them');
  }
  if (workload.kind === 'Deployment') {
    const graceSeconds = pod.terminationGracePeriodSeconds ?? 30;
    const pauseSeconds = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
    const drainSeconds = Number(setting('CONVEYOR_SHUTDOWN_GRACE_MS')) / 1000;
    if (!(graceSeconds > pauseSeconds + drainSeconds)) {
      report(
        at,
        `terminationGracePeriodSeconds (${graceSeconds}) must outlast the preStop pause (${pauseSeconds} s) and the drain (CONVEYOR_SHUTDOWN_GRACE_MS, ${drainSeconds} s)`,
      );
    }
  }
}

function kustomizationsUnder(dir) {
  const found = existsSync(join(dir, 'kustomization.yaml')) ? [dir] : [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...kustomizationsUnder(path));
  }
  return found;
}
function examplesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return examplesUnder(path);
    return /\.example\.ya?ml$/.test(name) ? loadYaml(path) : [];
  });
}

const variables = conveyorVariables();
const kustomizations = kustomizationsUnder(root);
if (kustomizations.length === 0) report(show(root), 'no kustomization.yaml here or below');
const examples = examplesUnder(root);
for (const { object, source } of examples) {
  if (object.kind !== 'Secret') report(source, 'examples describe Secrets only');
}
const secretUses = [];
let count = 0;
for (const dir of kustomizations) {
  const objects = render(dir);
  count += objects.length;
  for (const rendered of [...objects, ...examples]) await validate(rendered);
  checkReferences(objects, examples, variables, secretUses);
}
for (const { object, source } of examples) {
  for (const key of Object.keys({ ...object.data, ...object.stringData })) {
    const used = secretUses.some(
      ({ name, key: used }) => name === object.metadata?.name && (used === undefined || used === key),
    );
    if (!used) report(source, `${object.metadata?.name} key ${key} is used by nothing`);
  }
}

if (problems.size > 0) {
  console.error(`Kubernetes manifests under ${show(root)}: ${problems.size} problem(s)`);
  for (const problem of problems) console.error(`  ${problem}`);
  process.exit(1);
}
console.log(
  `k8s check: ${kustomizations.length} kustomization(s), ${count} rendered object(s) and ${examples.length} example Secret(s) valid`,
);
