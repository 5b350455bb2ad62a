// Lint rules that keep the house style checkable: typed code, and process.env only in shared/config.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'dist-bench/', 'node_modules/', 'coverage/', 'test-results/', 'openapi/*.json', '.dev/', '.outbox/', 'tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read settings through shared/config; it is the only reader of process.env.' },
      ],
    },
  },
  { files: ['**/*.js'], languageOptions: { sourceType: 'commonjs', globals: globals.node }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
  { files: ['**/*.mjs'], languageOptions: { globals: globals.node } },
  {
    // The one reader of the environment, and the tools that pass an environment to child processes.
    files: ['shared/config/index.ts', 'scripts/**/*.ts', 'test/**/*.ts', 'jest.config.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
