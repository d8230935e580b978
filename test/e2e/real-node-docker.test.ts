// The docker step with BuildKit (the lab's worker settings choose it; kaniko stays the
// default): a Dockerfile from the source is built in a real container on the real node,
// pushed to the lab registry, and a later stage runs the image it built.
import assert from 'node:assert/strict';
import type { BuildWorkflowInput } from '../../workflows/types.ts';
import { connectLab, type Lab } from '../support/lab.ts';
import {
  planOf,
  realNode,
  registryGet,
  runOnLab,
  sourceWith,
  startRealNodeWorker,
  stepLogs,
  type RealNode,
  type RealNodeWorker,
} from '../support/real-node.ts';

describe('docker steps with BuildKit on the real node', function () {
  this.timeout(300_000);
  let lab: Lab;
  let real: RealNode;
  let worker: RealNodeWorker | undefined;

  before(async () => {
    lab = connectLab();
    real = realNode(lab);
    if (!lab.status.LAB_REGISTRY_SECRET)
      throw new Error('the lab has no registry Secret (tools/lab/deploy-target.sh up)');
    worker = await startRealNodeWorker(lab, real, 'real-docker', [lab.status.LAB_REGISTRY_SECRET]);
  });

  after(async () => worker?.stop());

  const run = (build: BuildWorkflowInput) => runOnLab(lab, worker!, build);

  it('builds a Dockerfile from the source, pushes it to the lab registry, and runs the image in a later stage', async () => {
    const id = `real-docker-${process.pid}`;
    const tag = `t${process.pid}-${Date.now() % 100000}`;
    const src = sourceWith({
      'app/Dockerfile': [
        `FROM ${real.images.BUSYBOX}`,
        'COPY greeting.txt /greeting.txt',
        'RUN echo "built by a RUN line as $(id -un)" > /built.txt',
        '',
      ].join('\n'),
      'app/greeting.txt': 'copied from the source\n',
    });
    const text = `
image:
  build:
    docker:
      file: app/Dockerfile
      context: app
      destination: ${real.registry}/lab/built
      tag: ${tag}
      secret: ${lab.status.LAB_REGISTRY_SECRET}
run-it:
  use:
    container:
      image: ${real.registry}/lab/built:${tag}
      cmds: [cat /greeting.txt /built.txt]
`;
    const { steps, nodes, left } = await run(planOf(id, text, { kind: 'local', path: src }));
    const build = await stepLogs(worker!, id, 'build');
    assert.equal(steps.build?.status, 'success', `${steps.build?.error ?? ''}\n${build.join('\n')}`);
    assert.match(build[0] ?? '', /^\$ buildctl-daemonless\.sh build --frontend dockerfile\.v0 /);
    assert.equal(steps.use?.status, 'success', steps.use?.error ?? '');
    assert.deepEqual(await stepLogs(worker!, id, 'use'), ['copied from the source', 'built by a RUN line as root']);
    assert.equal(nodes.get('build'), real.node);
    assert.equal(nodes.get('use'), real.node);
    const tags = await registryGet(lab, real.registry, '/v2/lab/built/tags/list');
    assert.ok((tags.body as { tags: string[] }).tags.includes(tag), JSON.stringify(tags.body));
    assert.equal(left, 0);
  });
});
