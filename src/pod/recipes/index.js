import { containerRecipe } from './container.js';
import { dockerRecipe } from './docker.js';
import { helmPackageRecipe } from './helm-package.js';
import { helmRecipe } from './helm.js';
import { kubectlRecipe } from './kubectl.js';
import { nugetPackageRecipe } from './nuget-package.js';
export const RECIPES = {
    container: containerRecipe,
    docker: dockerRecipe,
    helm: helmRecipe,
    'helm-package': helmPackageRecipe,
    kubectl: kubectlRecipe,
    'nuget-package': nugetPackageRecipe,
};
