// Lint rules that keep the architecture honest; style is left to the TypeScript compiler settings.
import tseslint from 'typescript-eslint';

const CORE = ['src/schema/**', 'src/orchestrator/**', 'src/backends/**', 'src/cli/**'];

export default tseslint.config(
  { ignores: ['*.mjs', 'test/**/*.mjs', 'test/**/*.js', 'test/**/*.cjs', 'dist/**', 'out/**', 'node_modules/**', '.vscode-ci/**', 'webview-ui/dist/**'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A dropped promise hides failures (a backend call that never reported its error).
      '@typescript-eslint/no-floating-promises': 'error',
      // Statuses and reasons are closed unions: a switch over one must handle every member.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: CORE,
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{
          name: 'vscode',
          message: 'The core (src/schema, src/orchestrator, src/backends, src/cli) must run without VS Code: ' +
            'put VS Code glue in src/vscode and pass what the core needs as plain values or callbacks.',
        }],
        patterns: [{
          group: ['**/vscode/**', '../vscode', '../../vscode'],
          message: 'The core must not import the VS Code glue folder (src/vscode).',
        }],
      }],
    },
  },
  {
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
