// The step types that act on a cluster or a registry, in real containers on the lab's
// real node: kubectl applies a manifest and helm installs a chart into the lab cluster
// through the `kubectl-config` ConfigMap (a kubeconfig that reaches the API server from
// the pod network, written by the lab), and helm-package pushes a chart to the lab
// registry over OCI. Each test asserts what the cluster or the registry holds afterwards.
import assert from 'node:assert/strict';
import type { BuildWorkflowInput } from '../../workflows/types.ts';
import { planOf, realNodeSuite, registryGet, sourceWith } from '../support/real-node.ts';

let seq = 0;

describe('cluster and registry steps on the real node', function () {
  this.timeout(300_000);
  const suite = realNodeSuite('real-deploy', { needs: ['LAB_DEPLOY_CONFIGMAP', 'LAB_DEPLOY_NAMESPACE'] });
  const run = (build: BuildWorkflowInput) => suite.run(build);
  const target = (): string => suite.lab.status.LAB_DEPLOY_NAMESPACE!;
  async function ok(id: string, steps: Awaited<ReturnType<typeof run>>['steps'], name: string): Promise<void> {
    if (steps[name]?.status === 'success') return;
    const log = (await suite.logsOf(id, name)).join('\n');
    assert.fail(`${name}: ${steps[name]?.status ?? 'no result'}: ${steps[name]?.error ?? ''}\n${log}`);
  }

  it('applies a manifest from the source with kubectl through the kubectl-config ConfigMap', async () => {
    const id = `real-kubectl-${process.pid}-${seq++}`;
    const name = `applied-${id}`;
    const src = sourceWith({
      'deploy/settings.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  applied-by: kubectl\n`,
    });
    const text = `deploy:\n  apply:\n    kubectl:\n      file: deploy/settings.yaml\n      namespace: ${target()}\n`;
    const { steps, nodes, left } = await run(planOf(id, text, { kind: 'local', path: src }));
    await ok(id, steps, 'apply');
    assert.equal(nodes.get('apply'), suite.real.node);
    assert.deepEqual(await suite.logsOf(id, 'apply'), [`configmap/${name} created`]);
    const applied = await suite.lab.core.readNamespacedConfigMap({ name, namespace: target() });
    assert.deepEqual(applied.data, { 'applied-by': 'kubectl' });
    assert.equal(left, 0);
    await suite.lab.core.deleteNamespacedConfigMap({ name, namespace: target() });
  });

  // As in wharf-cmd, a helm step receives only its values files (`files`), not the
  // source: the chart it installs comes from a chart repository. Here that is the lab
  // registry, where the stage before pushed it with helm-package.
  it('packages a chart from the source and pushes it to the lab registry with helm-package, then installs it with helm', async () => {
    const id = `real-helm-${process.pid}-${seq++}`;
    const release = `rel-${process.pid}-${seq++}`;
    const version = `0.1.${process.pid}-lab.${seq++}`;
    const src = sourceWith({
      'chart/Chart.yaml': `apiVersion: v2\nname: lab-app\nversion: 0.1.0\n`,
      'chart/values.yaml': `greeting: from the chart\nfarewell: from the chart\n`,
      'chart/templates/settings.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\ndata:\n  greeting: {{ .Values.greeting | quote }}\n  farewell: {{ .Values.farewell | quote }}\n',
      'deploy/values.yaml': 'farewell: from the values file\n',
    });
    const text = `
package:
  package:
    helm-package:
      chart-path: chart
      version: ${version}
      destination: oci://${suite.real.registry}/charts
install:
  install:
    helm:
      name: ${release}
      chart: oci://${suite.real.registry}/charts/lab-app
      repo: ""
      chartVersion: ${version}
      namespace: ${target()}
      helmVersion: ${suite.real.images.HELM!.split(':').pop()}
      files: [deploy/values.yaml]
      set: {greeting: set by the step}
`;
    const { steps, nodes, left } = await run(planOf(id, text, { kind: 'local', path: src }));
    await ok(id, steps, 'package');
    await ok(id, steps, 'install');
    assert.equal(nodes.get('package'), suite.real.node);
    assert.equal(nodes.get('install'), suite.real.node);
    const tags = await registryGet(suite.lab, suite.real.registry, '/v2/charts/lab-app/tags/list');
    assert.equal(tags.status, 200);
    assert.ok((tags.body as { tags: string[] }).tags.includes(version), JSON.stringify(tags.body));
    const manifest = await registryGet(suite.lab, suite.real.registry, `/v2/charts/lab-app/manifests/${version}`);
    assert.equal(
      (manifest.body as { config: { mediaType: string } }).config.mediaType,
      'application/vnd.cncf.helm.config.v1+json',
    );
    assert.ok((await suite.logsOf(id, 'install')).includes('STATUS: deployed'));
    const settings = await suite.lab.core.readNamespacedConfigMap({ name: `${release}-settings`, namespace: target() });
    assert.deepEqual(settings.data, { greeting: 'set by the step', farewell: 'from the values file' });
    const secrets = await suite.lab.core.listNamespacedSecret({
      namespace: target(),
      labelSelector: `owner=helm,name=${release}`,
    });
    assert.deepEqual(
      secrets.items.map((s) => [s.metadata?.name, s.type, s.metadata?.labels?.status]),
      [[`sh.helm.release.v1.${release}.v1`, 'helm.sh/release.v1', 'deployed']],
    );
    assert.equal(left, 0);
    await suite.lab.core.deleteNamespacedConfigMap({ name: `${release}-settings`, namespace: target() });
    await suite.lab.core.deleteNamespacedSecret({ name: `sh.helm.release.v1.${release}.v1`, namespace: target() });
  });
});
