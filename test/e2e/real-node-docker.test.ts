// The docker step with BuildKit (the lab's worker settings choose it; kaniko stays the
// default): a Dockerfile from the source is built in a real container on the real node,
// pushed to the lab registry, and a later stage runs the image it built.
import assert from 'node:assert/strict';
import type { BuildWorkflowInput } from '../../workflows/types.ts';
import { planOf, realNodeSuite, registryGet, sourceWith } from '../support/real-node.ts';

describe('docker steps with BuildKit on the real node', function () {
  this.timeout(300_000);
  const suite = realNodeSuite('real-docker', { allowSecrets: ['LAB_REGISTRY_SECRET'] });
  const run = (build: BuildWorkflowInput) => suite.run(build);

  it('builds a Dockerfile from the source, pushes it to the lab registry, and runs the image in a later stage', async () => {
    const id = `real-docker-${process.pid}`;
    const tag = `t${process.pid}-${Date.now() % 100000}`;
    const src = sourceWith({
      'app/Dockerfile': [
        `FROM ${suite.real.images.BUSYBOX}`,
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
      destination: ${suite.real.registry}/lab/built
      tag: ${tag}
      secret: ${suite.lab.status.LAB_REGISTRY_SECRET}
run-it:
  use:
    container:
      image: ${suite.real.registry}/lab/built:${tag}
      cmds: [cat /greeting.txt /built.txt]
`;
    const { steps, nodes, left } = await run(planOf(id, text, { kind: 'local', path: src }));
    const build = await suite.logsOf(id, 'build');
    assert.equal(steps.build?.status, 'success', `${steps.build?.error ?? ''}\n${build.join('\n')}`);
    assert.match(build[0] ?? '', /^\$ buildctl-daemonless\.sh build --frontend dockerfile\.v0 /);
    assert.equal(steps.use?.status, 'success', steps.use?.error ?? '');
    assert.deepEqual(await suite.logsOf(id, 'use'), ['copied from the source', 'built by a RUN line as root']);
    assert.equal(nodes.get('build'), suite.real.node);
    assert.equal(nodes.get('use'), suite.real.node);
    const tags = await registryGet(suite.lab, suite.real.registry, '/v2/lab/built/tags/list');
    assert.ok((tags.body as { tags: string[] }).tags.includes(tag), JSON.stringify(tags.body));
    assert.equal(left, 0);
  });
});
