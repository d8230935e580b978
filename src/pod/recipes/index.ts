// The recipe of every step type.
import type { StepType } from '../../definition/types.ts';
import { containerRecipe } from './container.ts';
import { dockerRecipe } from './docker.ts';
import { helmPackageRecipe } from './helm-package.ts';
import { helmRecipe } from './helm.ts';
import { kubectlRecipe } from './kubectl.ts';
import { nugetPackageRecipe } from './nuget-package.ts';
import type { RecipeFor } from './recipe.ts';

export const RECIPES: Record<StepType, RecipeFor> = {
  container: containerRecipe,
  docker: dockerRecipe,
  helm: helmRecipe,
  'helm-package': helmPackageRecipe,
  kubectl: kubectlRecipe,
  'nuget-package': nugetPackageRecipe,
};
