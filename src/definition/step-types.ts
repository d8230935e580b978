// The fields of each Wharf step type: their kinds, defaults and which are required, as
// wharf-cmd's pkg/steps has them. Defaults computed from variables or other fields are in
// step-rules.ts. Unknown fields inside a step type are ignored (with a warning).
import type { FieldKind } from './read-field.ts';
import type { StepType } from './types.ts';

export interface FieldSpec {
  kind: FieldKind;
  /** Required: present, and not "" (strings) or [] (lists). */
  required?: boolean;
  default?: string | boolean | string[];
}

export const STEP_TYPES: Record<StepType, Record<string, FieldSpec>> = {
  container: {
    image: { kind: 'string', required: true },
    cmds: { kind: 'strings', required: true },
    os: { kind: 'string', default: 'linux' },
    shell: { kind: 'string', default: '/bin/sh' },
    secretName: { kind: 'string' },
    serviceAccount: { kind: 'string', default: 'default' },
    certificatesMountPath: { kind: 'string' },
  },
  docker: {
    file: { kind: 'string', required: true },
    tag: { kind: 'string', required: true },
    destination: { kind: 'string' },
    name: { kind: 'string' },
    group: { kind: 'string' },
    context: { kind: 'string', default: '' },
    secret: { kind: 'string', default: 'gitlab-registry' },
    registry: { kind: 'string' },
    'append-cert': { kind: 'boolean' },
    push: { kind: 'boolean', default: true },
    args: { kind: 'strings', default: [] },
    secretName: { kind: 'string' },
    secretArgs: { kind: 'strings', default: [] },
  },
  helm: {
    chart: { kind: 'string', required: true },
    name: { kind: 'string', required: true },
    namespace: { kind: 'string', required: true },
    repo: { kind: 'string' },
    set: { kind: 'map' },
    files: { kind: 'strings', default: [] },
    chartVersion: { kind: 'string' },
    helmVersion: { kind: 'string', default: 'v2.14.1' },
    cluster: { kind: 'string', default: 'kubectl-config' },
    secret: { kind: 'string' },
  },
  'helm-package': {
    version: { kind: 'string', default: '' },
    'chart-path': { kind: 'string', default: '' },
    destination: { kind: 'string' },
    secret: { kind: 'string' },
  },
  kubectl: {
    file: { kind: 'string' },
    files: { kind: 'strings', default: [] },
    namespace: { kind: 'string' },
    action: { kind: 'string', default: 'apply' },
    force: { kind: 'boolean', default: false },
    cluster: { kind: 'string', default: 'kubectl-config' },
  },
  'nuget-package': {
    version: { kind: 'string', required: true },
    'project-path': { kind: 'string', required: true },
    repo: { kind: 'string', required: true },
    'skip-duplicate': { kind: 'boolean', default: false },
    certificatesMountPath: { kind: 'string' },
  },
};

export const STEP_TYPE_NAMES = Object.keys(STEP_TYPES) as StepType[];

export function isStepType(name: string): name is StepType {
  return Object.hasOwn(STEP_TYPES, name);
}
