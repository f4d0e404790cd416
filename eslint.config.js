// Lint: typescript-eslint's recommended rules, plus the sandbox boundary of DESIGN.md made mechanical:
// workflow code may import at runtime only @temporalio/workflow, @temporalio/common and pure modules.
import tseslint from 'typescript-eslint';

const SANDBOX_ALLOWED = [
  '@temporalio/workflow',
  '@temporalio/common',
  '@opentelemetry/api',
  // Pure-JS Ed25519 for the gate's own signature check: deterministic, no I/O.
  '@noble/curves/(ed25519|utils)\\.js',
  '@scure/base',
  '\\./[a-z-]+\\.js',
  '\\.\\./approvals/(approval-claims|match-approvers)\\.js',
  '\\.\\./audit/span-attributes\\.js',
  '\\.\\./expressions/[a-z-]+\\.js',
  '\\.\\./runbook/(plan|resolve-inputs)\\.js',
  '\\.\\./shared/(principal|search-attributes|canonical-json|separation-of-duties|alert-name)\\.js',
];

const EXPRESSIONS_ALLOWED = ['@marcbachmann/cel-js', '\\./[a-z-]+\\.js', '\\.\\./runbook/plan\\.js'];

const allowOnly = (allowed, message) => ({
  patterns: [{ regex: `^(?!(${allowed.join('|')})$).*`, allowTypeImports: true, message }],
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'test-output/**', '.vigil/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        allowOnly(SANDBOX_ALLOWED, 'Workflow code runs in the Temporal sandbox: import activities and drivers with `import type` only.'),
      ],
    },
  },
  {
    // The UI's pages are safe because the renderer escapes every value; this is the one way around that.
    files: ['src/api/ui/**/*.tsx'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: 'The web UI renders every value as text; never inject HTML.' },
      ],
    },
  },
  {
    files: ['src/expressions/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', allowOnly(EXPRESSIONS_ALLOWED, 'Expressions run inside the workflow sandbox: keep them pure.')],
    },
  },
);
