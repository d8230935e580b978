// Lint rules of the project. Typed rules read tsconfig.json through typescript-eslint's
// project service; `typescript` here is TypeScript 6's compiler API (typescript-eslint
// needs it), while `tsc` is TypeScript 7 (the `@typescript/native` package).
import tseslint from 'typescript-eslint';

/** What workflow code never imports: it runs in Temporal's deterministic sandbox. */
const workflowRestrictedImports = {
  paths: [
    {
      name: '@kubernetes/client-node',
      allowTypeImports: true,
      message: 'Workflow code talks to Kubernetes only through activities (its types may be imported).',
    },
    { name: '@temporalio/activity', message: 'Workflow code runs in the workflow sandbox, not in an activity.' },
    { name: '@temporalio/client', message: 'Workflow code uses @temporalio/workflow, not the client.' },
    { name: '@temporalio/worker', message: 'Workflow code uses @temporalio/workflow, not the worker.' },
  ],
  patterns: [
    { regex: '^node:', message: 'Node built-ins are not deterministic: move this into an activity.' },
    {
      regex:
        '^(assert|async_hooks|buffer|child_process|crypto|dns|events|fs|http|https|net|os|path|process|stream|timers|tls|url|util|worker_threads|zlib)(/.*)?$',
      message: 'Node built-ins are not deterministic: move this into an activity.',
    },
    {
      regex: '(^|/)src/(kube|logs|command|source|config|temporal|worker|client|cli|store)(/|$)',
      message: 'Workflow code imports only the front end (src/definition, src/plan, ...) and activities as types.',
    },
    {
      regex: '(^|/)activities(/|$)',
      allowTypeImports: true,
      message: 'Workflow code imports activities only as types (import type), and calls them through proxyActivities.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'tools/**', 'deploy/**', 'examples/**', 'test/fixtures/**'] },
  tseslint.configs.base,
  {
    files: ['**/*.ts', '**/*.js'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', workflowRestrictedImports] },
  },
  {
    // Plain JavaScript outside the TypeScript project: no type information.
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { parserOptions: { projectService: false, project: false, program: null } },
  },
);
