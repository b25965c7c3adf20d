// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { importXSettings, restrictedPathsOptions } from './eslint/layers.js';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.gaffer/', 'web/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: importXSettings,
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      'import-x/no-cycle': 'error',
      // The forbidden arrows of DESIGN.md, one zone each; test/lint/layers.test.ts proves every zone fires.
      'import-x/no-restricted-paths': ['error', restrictedPathsOptions],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', '../*/**', 'fs', 'child_process'],
              message: 'domain stays free of I/O and of other layers',
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      'src/engine/**/*.ts',
      'src/plan/**/*.ts',
      'src/git/**/*.ts',
      'src/verify/**/*.ts',
      'src/agents/**/*.ts',
      'src/store/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/cli/**', '**/server/**'],
              message: 'library layers never import the CLI or the server',
            },
          ],
        },
      ],
    },
  },
  {
    // The dashboard runs in the browser; typed rules read it through web/tsconfig.json (DOM libs, JSX).
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly' } },
  },
);
