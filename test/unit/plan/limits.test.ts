// What validate accepts can run: names, counts and sizes are checked against Temporal's
// and Kubernetes' limits (src/limits.ts) with their positions.
import assert from 'node:assert/strict';
import { newBuildId } from '../../../src/client/start-build.ts';
import {
  MAX_BUILD_ID_LENGTH,
  TEMPORAL_MAX_ID_BYTES,
  TEMPORAL_MAX_PENDING_CHILDREN,
} from '../../../src/limits/definition-limits.ts';
import { formatError } from '../../../src/yaml/definition-error.ts';
import { planDefinition } from '../../../src/plan/make-plan.ts';
import { stepWorkflowId } from '../../../workflows/stage.ts';

const planOf = (text: string, env: string | null = null) =>
  planDefinition({ file: 'f.yml', text, env, inputs: {}, buildId: 'b', layers: [] });
const errorsOf = (text: string, env: string | null = null): string[] => {
  const result = planOf(text, env);
  return 'errors' in result ? result.errors.map(formatError) : [];
};
const step = (name: string, cmd = 'true'): string =>
  `  ${name}:\n    container: {image: alpine, cmds: [${JSON.stringify(cmd)}]}\n`;

describe('limits checked at validate time', () => {
  it('the longest build id the CLI makes is within the bound the checks assume', () => {
    assert.ok(newBuildId('x'.repeat(500)).length <= MAX_BUILD_ID_LENGTH);
  });

  it("a step whose workflow id would pass Temporal's limit, at the step", () => {
    const fits = 'n'.repeat(TEMPORAL_MAX_ID_BYTES - MAX_BUILD_ID_LENGTH - 3);
    assert.deepEqual(errorsOf(`a:\n${step(fits)}`), []);
    assert.ok(Buffer.byteLength(stepWorkflowId('b'.repeat(MAX_BUILD_ID_LENGTH), 'a', fits)) <= TEMPORAL_MAX_ID_BYTES);
    assert.deepEqual(errorsOf(`a:\n${step(`${fits}x`)}`), [
      `f.yml:2:3 a/${fits}x: stage and step names too long: the step's workflow id would be up to 1001 bytes, Temporal allows 1000`,
    ]);
  });

  it('a stage with more steps than a workflow may have pending children, at the stage', () => {
    const steps = (n: number): string => Array.from({ length: n }, (_, i) => step(`s${i}`)).join('');
    // 2000 steps pass this check (their plan is too large a workflow input, though: about 1.1 KiB a step).
    assert.ok(!errorsOf(`big:\n${steps(TEMPORAL_MAX_PENDING_CHILDREN)}`).some((e) => e.includes('pending')));
    assert.deepEqual(errorsOf(`ok:\n${step('x')}big:\n${steps(TEMPORAL_MAX_PENDING_CHILDREN + 1)}`), [
      'f.yml:4:1 big: stage has 2001 steps; they run at once as child workflows, and Temporal allows 2000 pending',
    ]);
  });

  it('a plan too large for a workflow input is an error, one close to it a warning', () => {
    const warned = planOf(`a:\n${step('s', 'x'.repeat(600 * 1024))}`);
    assert.ok('plan' in warned);
    assert.match(
      warned.warnings.join('\n'),
      /^f\.yml:1:1 the build's plan is 6\d\d KiB as workflow input; Temporal warns from 512 KiB and refuses over 2048 KiB$/,
    );
    const refused = errorsOf(`a:\n${step('s', 'x'.repeat(1100 * 1024))}${step('t', 'y'.repeat(1100 * 1024))}`);
    assert.equal(refused.length, 1);
    assert.match(
      refused[0]!,
      /^f\.yml:1:1 the build's plan is 22\d\d KiB as workflow input; Temporal refuses payloads over 2048 KiB/,
    );
  });

  it('names Kubernetes would refuse, at the field, only for the stages that run', () => {
    const text = [
      'environments: {prod: {ns: "${undefined-here}"}}',
      'build:',
      '  s:',
      '    helm: {chart: c, name: n, namespace: Bad_Namespace, repo: r, cluster: kube.config}',
      '  d:',
      '    docker: {file: D, tag: v, destination: d, secret: "-x"}',
      'deploy:',
      '  environments: [prod]',
      '  k:',
      '    kubectl: {file: f, namespace: "${ns}"}',
    ].join('\n');
    assert.deepEqual(errorsOf(text), [
      'f.yml:4:42 build/s/helm/namespace: Kubernetes refuses "Bad_Namespace" as a namespace name (it must be a DNS-1123 label: at most 63 of a-z, 0-9 and -, starting and ending with a letter or digit)',
      `f.yml:6:55 build/d/docker/secret: Kubernetes refuses "-x" as a Secret name (it must be a DNS-1123 subdomain: at most 253 of a-z, 0-9, '-' and '.', starting and ending with a letter or digit)`,
    ]);
    assert.ok(
      errorsOf(text, 'prod').some((e) =>
        e.startsWith('f.yml:10:35 deploy/k/kubectl/namespace: Kubernetes refuses "${undefined-here}"'),
      ),
    );
  });
});
