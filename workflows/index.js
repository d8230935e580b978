// The workflows the worker registers. Imported only by the worker's bundler; activities
// are referenced as types, so no Node or Kubernetes code enters the workflow bundle.
export { buildWorkflow } from './build.js';
export { stepWorkflow } from './step.js';
