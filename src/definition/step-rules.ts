// Rules of a step type beyond single fields: defaults computed from other fields and
// variables, and fields that must come together. As wharf-cmd's pkg/steps has them.
import type { StepDefinition } from './types.ts';
import type { Lookup } from '../varsub/substitute.ts';

export interface RuleProblem {
  field: string;
  message: string;
}

export function applyStepRules(step: StepDefinition, lookup: Lookup): RuleProblem[] {
  const f = step.fields;
  const problems: RuleProblem[] = [];
  switch (step.type) {
    case 'docker': {
      f.name ??= step.name;
      if (f.destination === undefined) {
        // registry/group/repo, plus /name when the step builds an image of another name.
        const repo = lookup('REPO_NAME');
        if (repo === undefined) problems.push({ field: 'destination', message: 'no destination, and no REPO_NAME variable to make the default from' });
        const parts = [f.registry, f.group, repo].map((p) => String(p ?? ''));
        f.destination = (repo === f.name ? parts : [...parts, String(f.name)]).join('/');
      }
      if (f.tag !== undefined && String(f.tag).split(',').every((t) => t.trim() === '')) problems.push({ field: 'tag', message: 'tag resolved to no tags' });
      const secretArgs = (f.secretArgs as string[] | undefined) ?? [];
      for (const arg of secretArgs) {
        const [name, key] = [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)];
        if (!arg.includes('=') || !name || !key) problems.push({ field: 'secretArgs', message: `invalid secret argument ${JSON.stringify(arg)}: expected 'ARG=secret-key'` });
      }
      if (secretArgs.length && !f.secretName) problems.push({ field: 'secretArgs', message: 'found secretArgs but no secretName' });
      if (!secretArgs.length && f.secretName) problems.push({ field: 'secretName', message: 'found secretName but no secretArgs' });
      break;
    }
    case 'helm':
      if (f.repo === 'stage') f.repo = 'https://kubernetes-charts.storage.googleapis.com';
      break;
    case 'kubectl':
      if (!f.file && !((f.files as string[] | undefined) ?? []).length) problems.push({ field: 'file', message: 'missing required field (or give files)' });
      break;
    default:
      break;
  }
  return problems;
}
