// The worker's pod settings (src/pod/worker-pod-settings.ts) from a YAML file, the
// environment and flags, later ones winning field by field: file < environment < flags.
// Everything is validated when the worker starts; a mistake names the file:line:column
// and the field, or the variable or flag.
import { readFileSync } from 'node:fs';
import type { Node } from 'yaml';
import type { V1Toleration } from '@kubernetes/client-node';
import { ConfigError } from './runtime-config.ts';
import { formatError, sortErrors, type DefinitionError } from '../yaml/definition-error.ts';
import { loadYaml } from '../yaml/yaml-document.ts';
import { kindOf, scalarValue, type YamlWalker } from '../yaml/yaml-walk.ts';
import {
  DEFAULT_WORKER_POD_SETTINGS,
  DOCKER_BUILDERS,
  type DockerBuilder,
  type PodDefaults,
  type StepImages,
  type WorkerPodSettings,
} from '../pod/worker-pod-settings.ts';

/** A mistake in the worker's settings: reported as a message, never a stack trace. */
export class WorkerSettingsError extends ConfigError {
  override name = 'WorkerSettingsError';
}

/** What the `worker` command's flags give (each list flag may be repeated). */
export interface WorkerSettingsFlags {
  config?: string;
  dockerBuilder?: string;
  stepImage?: string[];
  nodeSelector?: string[];
  toleration?: string[];
  imagePullSecret?: string[];
  podLabel?: string[];
  podAnnotation?: string[];
}

export const IMAGE_KEYS: readonly (keyof StepImages)[] = [
  'kaniko',
  'buildkit',
  'kubectl',
  'helm',
  'helmPackage',
  'nugetPackage',
  'source',
];
const TOLERATION_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
/** Labels and annotations the worker itself sets on every step pod (the step's identity). */
const RESERVED_PREFIXES = ['wharf-temporal/', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/name'];

export function resolveWorkerSettings(
  flags: WorkerSettingsFlags = {},
  env: NodeJS.ProcessEnv = process.env,
): WorkerPodSettings {
  const settings: WorkerPodSettings = structuredClone(DEFAULT_WORKER_POD_SETTINGS);
  const file = flags.config || env.WHARF_TEMPORAL_WORKER_CONFIG;
  if (file) mergeInto(settings, readSettingsFile(file));
  mergeInto(
    settings,
    fromLists('env', {
      dockerBuilder: env.WHARF_TEMPORAL_DOCKER_BUILDER || undefined,
      stepImage: splitList(env.WHARF_TEMPORAL_STEP_IMAGES),
      nodeSelector: splitList(env.WHARF_TEMPORAL_NODE_SELECTOR),
      toleration: splitList(env.WHARF_TEMPORAL_TOLERATIONS),
      imagePullSecret: splitList(env.WHARF_TEMPORAL_IMAGE_PULL_SECRETS),
      podLabel: splitList(env.WHARF_TEMPORAL_POD_LABELS),
      podAnnotation: splitList(env.WHARF_TEMPORAL_POD_ANNOTATIONS),
    }),
  );
  mergeInto(settings, fromLists('flag', flags));
  return settings;
}

function splitList(value: string | undefined): string[] | undefined {
  if (!value) return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

type Partial2 = { dockerBuilder?: DockerBuilder; images?: StepImages; pod?: PodDefaults };

function mergeInto(target: WorkerPodSettings, from: Partial2): void {
  if (from.dockerBuilder) target.dockerBuilder = from.dockerBuilder;
  Object.assign(target.images, from.images);
  for (const [k, v] of Object.entries(from.pod ?? {}))
    if (v !== undefined) (target.pod as Record<string, unknown>)[k] = v;
}

// ---- environment and flags ----------------------------------------------------------

const SOURCE_NAMES = {
  env: {
    dockerBuilder: 'WHARF_TEMPORAL_DOCKER_BUILDER',
    stepImage: 'WHARF_TEMPORAL_STEP_IMAGES',
    nodeSelector: 'WHARF_TEMPORAL_NODE_SELECTOR',
    toleration: 'WHARF_TEMPORAL_TOLERATIONS',
    imagePullSecret: 'WHARF_TEMPORAL_IMAGE_PULL_SECRETS',
    podLabel: 'WHARF_TEMPORAL_POD_LABELS',
    podAnnotation: 'WHARF_TEMPORAL_POD_ANNOTATIONS',
  },
  flag: {
    dockerBuilder: '--docker-builder',
    stepImage: '--step-image',
    nodeSelector: '--node-selector',
    toleration: '--toleration',
    imagePullSecret: '--image-pull-secret',
    podLabel: '--pod-label',
    podAnnotation: '--pod-annotation',
  },
} as const;

function fromLists(kind: 'env' | 'flag', v: Omit<WorkerSettingsFlags, 'config'>): Partial2 {
  const name = SOURCE_NAMES[kind];
  const fail = (field: keyof typeof name, message: string): never => {
    throw new WorkerSettingsError(`${name[field]}: ${message}`);
  };
  const out: Partial2 = {};
  if (v.dockerBuilder !== undefined) out.dockerBuilder = builder(v.dockerBuilder, (m) => fail('dockerBuilder', m));
  if (v.stepImage?.length) {
    out.images = {};
    for (const entry of v.stepImage) {
      const [key, image] = keyValue(entry, (m) => fail('stepImage', m));
      if (!(IMAGE_KEYS as readonly string[]).includes(key))
        fail('stepImage', `unknown step image '${key}' (one of ${IMAGE_KEYS.join(', ')})`);
      checkImage(image, (m) => fail('stepImage', m));
      out.images[key as keyof StepImages] = image;
    }
  }
  const pod: PodDefaults = {};
  if (v.nodeSelector?.length) pod.nodeSelector = labelMap(v.nodeSelector, (m) => fail('nodeSelector', m), false);
  if (v.toleration?.length) pod.tolerations = v.toleration.map((t) => parseToleration(t, (m) => fail('toleration', m)));
  if (v.imagePullSecret?.length) {
    v.imagePullSecret.forEach((s) => checkName(s, (m) => fail('imagePullSecret', m)));
    pod.imagePullSecrets = v.imagePullSecret;
  }
  if (v.podLabel?.length) pod.labels = labelMap(v.podLabel, (m) => fail('podLabel', m), true);
  if (v.podAnnotation?.length) pod.annotations = annotationMap(v.podAnnotation, (m) => fail('podAnnotation', m));
  if (Object.keys(pod).length) out.pod = pod;
  return out;
}

function keyValue(entry: string, fail: (m: string) => never): [string, string] {
  const eq = entry.indexOf('=');
  if (eq <= 0) fail(`'${entry}' is not KEY=VALUE`);
  return [entry.slice(0, eq), entry.slice(eq + 1)];
}

function labelMap(entries: string[], fail: (m: string) => never, reserved: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    const [k, v] = keyValue(e, fail);
    checkLabel(k, v, fail, reserved);
    out[k] = v;
  }
  return out;
}

function annotationMap(entries: string[], fail: (m: string) => never): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    const [k, v] = keyValue(e, fail);
    checkLabelKey(k, fail, true);
    out[k] = v;
  }
  return out;
}

/** `key=value:Effect`, `key:Effect`, `key` (as `kubectl taint` writes taints). */
export function parseToleration(spec: string, fail: (m: string) => never): V1Toleration {
  const colon = spec.lastIndexOf(':');
  const effect = colon >= 0 ? spec.slice(colon + 1) : '';
  const head = colon >= 0 ? spec.slice(0, colon) : spec;
  if (effect && !TOLERATION_EFFECTS.includes(effect))
    fail(`'${spec}': effect '${effect}' is not one of ${TOLERATION_EFFECTS.join(', ')}`);
  const eq = head.indexOf('=');
  const key = eq >= 0 ? head.slice(0, eq) : head;
  if (!key) fail(`'${spec}' has no key (key=value:Effect, key:Effect or key)`);
  checkLabelKey(key, fail, false);
  return {
    key,
    operator: eq >= 0 ? 'Equal' : 'Exists',
    ...(eq >= 0 ? { value: head.slice(eq + 1) } : {}),
    ...(effect ? { effect } : {}),
  };
}

function builder(value: string, fail: (m: string) => never): DockerBuilder {
  if (!(DOCKER_BUILDERS as readonly string[]).includes(value))
    fail(`'${value}' is not a docker builder (one of ${DOCKER_BUILDERS.join(', ')})`);
  return value as DockerBuilder;
}

// ---- checks shared by every source ---------------------------------------------------

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const QUANTITY = /^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;

function checkImage(image: string, fail: (m: string) => never): void {
  if (!image || /\s/.test(image)) fail(`'${image}' is not an image reference`);
}

function checkName(name: string, fail: (m: string) => never): void {
  if (name.length > 253 || !name.split('.').every((p) => DNS_LABEL.test(p)))
    fail(`'${name}' is not a Kubernetes object name`);
}

function checkLabelKey(key: string, fail: (m: string) => never, reserved: boolean): void {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (
    (slash >= 0 && (prefix.length > 253 || !prefix.split('.').every((p) => DNS_LABEL.test(p)))) ||
    name.length > 63 ||
    !NAME_PART.test(name)
  ) {
    fail(`'${key}' is not a valid label or annotation key`);
  }
  if (reserved && RESERVED_PREFIXES.some((p) => key === p || key.startsWith(p)))
    fail(`'${key}' is set by the worker itself on every step pod`);
}

function checkLabel(key: string, value: string, fail: (m: string) => never, reserved: boolean): void {
  checkLabelKey(key, fail, reserved);
  checkLabelValue(key, value, fail);
}

function checkLabelValue(key: string, value: string, fail: (m: string) => never): void {
  if (value.length > 63 || (value !== '' && !NAME_PART.test(value)))
    fail(`'${value}' (of ${key}) is not a valid label value`);
}

// ---- the file -----------------------------------------------------------------------

export function readSettingsFile(file: string): Partial2 {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new WorkerSettingsError(
      `cannot read the worker settings file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  return parseSettings(file, text);
}

export function parseSettings(file: string, text: string): Partial2 {
  const loaded = loadYaml(file, text);
  if (loaded.errors.length || !loaded.walker)
    throw new WorkerSettingsError(loaded.errors.map(formatError).join('\n') || `${file}: not YAML`);
  const r = new FileReader(file, loaded.walker);
  const out = r.read(loaded.root);
  if (r.errors.length) throw new WorkerSettingsError(sortErrors(r.errors).map(formatError).join('\n'));
  return out;
}

class FileReader {
  readonly errors: DefinitionError[] = [];
  private readonly file: string;
  private readonly w: YamlWalker;

  constructor(file: string, walker: YamlWalker) {
    this.file = file;
    this.w = walker;
  }

  private error(node: Node | null, path: string, message: string): void {
    this.errors.push({ file: this.file, ...this.w.position(node), path, message });
  }

  /** A map's entries; unknown keys are errors. */
  private map(node: Node | null, path: string, known: readonly string[] | null): [string, Node | null, Node | null][] {
    if (node === null) return [];
    const entries = this.w.entries(node);
    if (!entries.length && kindOf(node) !== 'a map') {
      this.error(node, path, `must be a map, not ${kindOf(node)}`);
      return [];
    }
    return entries.flatMap((e) => {
      if (known && !known.includes(e.key)) {
        this.error(e.keyNode, path, `unknown field '${e.key}' (known: ${known.join(', ')})`);
        return [];
      }
      return [[e.key, e.keyNode, e.value]];
    });
  }

  private string(node: Node | null, path: string): string | undefined {
    const v = scalarValue(node);
    if (typeof v !== 'string') {
      this.error(node, path, `must be a string, not ${kindOf(node)}`);
      return undefined;
    }
    return v;
  }

  private check(node: Node | null, path: string, fn: (fail: (m: string) => never) => void): void {
    try {
      fn((m) => {
        throw new CheckFailed(m);
      });
    } catch (err) {
      if (!(err instanceof CheckFailed)) throw err;
      this.error(node, path, err.message);
    }
  }

  read(root: Node | null): Partial2 {
    const out: Partial2 = {};
    for (const [key, , value] of this.map(root, '', ['dockerBuilder', 'images', 'pod'])) {
      if (key === 'dockerBuilder') {
        const v = this.string(value, key);
        if (v !== undefined) this.check(value, key, (fail) => (out.dockerBuilder = builder(v, fail)));
      } else if (key === 'images') {
        out.images = {};
        for (const [name, , image] of this.map(value, key, IMAGE_KEYS)) {
          const v = this.string(image, `images/${name}`);
          if (v !== undefined) this.check(image, `images/${name}`, (fail) => checkImage(v, fail));
          if (v !== undefined) out.images[name as keyof StepImages] = v;
        }
      } else {
        out.pod = this.pod(value);
      }
    }
    return out;
  }

  private stringMap(
    node: Node | null,
    path: string,
    checkKey: (k: string, fail: (m: string) => never) => void,
    checkValue: (k: string, v: string, fail: (m: string) => never) => void,
  ): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, keyNode, value] of this.map(node, path, null)) {
      const raw = scalarValue(value);
      if (raw === undefined) {
        this.error(value ?? keyNode, `${path}/${k}`, `must be a string, not ${kindOf(value)}`);
        continue;
      }
      this.check(keyNode, `${path}/${k}`, (fail) => checkKey(k, fail));
      this.check(value, `${path}/${k}`, (fail) => checkValue(k, String(raw), fail));
      out[k] = String(raw);
    }
    return out;
  }

  private pod(node: Node | null): PodDefaults {
    const pod: PodDefaults = {};
    const known = [
      'nodeSelector',
      'tolerations',
      'resources',
      'imagePullSecrets',
      'labels',
      'annotations',
      'securityContext',
    ];
    for (const [key, , value] of this.map(node, 'pod', known)) {
      const path = `pod/${key}`;
      switch (key) {
        case 'nodeSelector':
          pod.nodeSelector = this.stringMap(value, path, (k, fail) => checkLabelKey(k, fail, false), checkLabelValue);
          break;
        case 'labels':
          pod.labels = this.stringMap(value, path, (k, fail) => checkLabelKey(k, fail, true), checkLabelValue);
          break;
        case 'annotations':
          pod.annotations = this.stringMap(
            value,
            path,
            (k, fail) => checkLabelKey(k, fail, true),
            () => {},
          );
          break;
        case 'imagePullSecrets':
          pod.imagePullSecrets = this.list(value, path).flatMap((item, i) => {
            // Either a name or Kubernetes' own form, {name: ...}.
            const entries = kindOf(item) === 'a map' ? this.map(item, `${path}/${i}`, ['name']) : [];
            const nameNode = entries.length ? entries[0]![2] : item;
            const v = this.string(nameNode, `${path}/${i}`);
            if (v !== undefined) this.check(nameNode, `${path}/${i}`, (fail) => checkName(v, fail));
            return v === undefined ? [] : [v];
          });
          break;
        case 'tolerations':
          pod.tolerations = this.list(value, path).map((item, i) => this.toleration(item, `${path}/${i}`));
          break;
        case 'resources':
          pod.resources = this.resources(value, path);
          break;
        case 'securityContext':
          pod.securityContext = this.securityContext(value, path);
          break;
      }
    }
    return pod;
  }

  private list(node: Node | null, path: string): (Node | null)[] {
    if (kindOf(node) !== 'a list') {
      this.error(node, path, `must be a list, not ${kindOf(node)}`);
      return [];
    }
    return this.w.items(node);
  }

  private toleration(node: Node | null, path: string): V1Toleration {
    const t: V1Toleration = {};
    for (const [k, , value] of this.map(node, path, ['key', 'operator', 'value', 'effect', 'tolerationSeconds'])) {
      if (k === 'tolerationSeconds') {
        const v = scalarValue(value);
        if (typeof v !== 'number' || !Number.isInteger(v))
          this.error(value, `${path}/${k}`, `must be a whole number, not ${kindOf(value)}`);
        else t.tolerationSeconds = v;
        continue;
      }
      const v = this.string(value, `${path}/${k}`);
      if (v === undefined) continue;
      if (k === 'operator' && v !== 'Exists' && v !== 'Equal')
        this.error(value, `${path}/${k}`, `'${v}' is not Exists or Equal`);
      if (k === 'effect' && v !== '' && !TOLERATION_EFFECTS.includes(v))
        this.error(value, `${path}/${k}`, `'${v}' is not one of ${TOLERATION_EFFECTS.join(', ')}`);
      if (k === 'key' && v !== '') this.check(value, `${path}/${k}`, (fail) => checkLabelKey(v, fail, false));
      (t as Record<string, unknown>)[k] = v;
    }
    if (t.operator === 'Exists' && t.value) this.error(node, path, 'a toleration with operator Exists has no value');
    if (!t.key && t.operator !== 'Exists')
      this.error(node, path, 'a toleration without a key must have operator Exists');
    return t;
  }

  private resources(node: Node | null, path: string): PodDefaults['resources'] {
    const out: NonNullable<PodDefaults['resources']> = {};
    for (const [k, , value] of this.map(node, path, ['requests', 'limits'])) {
      out[k as 'requests' | 'limits'] = this.stringMap(
        value,
        `${path}/${k}`,
        () => {},
        (_name, v, fail) => {
          if (!QUANTITY.test(v)) fail(`'${v}' is not a quantity (e.g. 500m, 1, 256Mi)`);
        },
      );
    }
    return out;
  }

  private securityContext(node: Node | null, path: string): PodDefaults['securityContext'] {
    const ints = ['runAsUser', 'runAsGroup', 'fsGroup'];
    const out: Record<string, unknown> = {};
    for (const [k, , value] of this.map(node, path, [
      ...ints,
      'runAsNonRoot',
      'supplementalGroups',
      'fsGroupChangePolicy',
      'seccompProfile',
    ])) {
      const p = `${path}/${k}`;
      const v = scalarValue(value);
      if (ints.includes(k)) {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
          this.error(value, p, `must be a whole number of at least 0, not ${kindOf(value)}`);
        else out[k] = v;
      } else if (k === 'runAsNonRoot') {
        if (typeof v !== 'boolean') this.error(value, p, `must be true or false, not ${kindOf(value)}`);
        else out[k] = v;
      } else if (k === 'supplementalGroups') {
        out[k] = this.list(value, p).flatMap((item, i) => {
          const g = scalarValue(item);
          if (typeof g === 'number' && Number.isInteger(g) && g >= 0) return [g];
          this.error(item, `${p}/${i}`, `must be a whole number of at least 0, not ${kindOf(item)}`);
          return [];
        });
      } else if (k === 'fsGroupChangePolicy') {
        const s = this.string(value, p);
        if (s !== undefined && s !== 'OnRootMismatch' && s !== 'Always')
          this.error(value, p, `'${s}' is not OnRootMismatch or Always`);
        else if (s !== undefined) out[k] = s;
      } else {
        const profile: Record<string, string> = {};
        for (const [pk, , pv] of this.map(value, p, ['type', 'localhostProfile'])) {
          const s = this.string(pv, `${p}/${pk}`);
          if (s === undefined) continue;
          if (pk === 'type' && !['RuntimeDefault', 'Unconfined', 'Localhost'].includes(s))
            this.error(pv, `${p}/${pk}`, `'${s}' is not RuntimeDefault, Unconfined or Localhost`);
          profile[pk] = s;
        }
        out[k] = profile;
      }
    }
    return out as PodDefaults['securityContext'];
  }
}

class CheckFailed extends Error {}
