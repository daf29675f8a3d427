// @ts-check
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**'] },
  js.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // Nest modules are classes with decorators and no members.
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Nest declares its option bags (NestApplicationOptions, ...) as classes and documents
      // passing object literals for them.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
    },
  },
  // The layers of docs/architecture.md, held by the linter: inward only.
  {
    files: ['libs/*/src/domain/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/application/**', '**/infrastructure/**', '**/http/**'],
              message: 'The domain depends on nothing.',
            },
            {
              group: ['@nestjs/*', 'typeorm', 'pg', '#conveyor/*'],
              message: 'The domain is plain TypeScript.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/*/src/application/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/infrastructure/**', '**/http/**'],
              message:
                'The application owns its ports; infrastructure implements them (docs/architecture.md).',
            },
          ],
        },
      ],
    },
  },
  {
    // A test that reads rows[0]! fails loudly if the row is missing, which is what a test is for.
    files: ['test/**/*.ts', '**/*.spec.ts', '**/*.int-spec.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        performance: 'readonly',
        fetch: 'readonly',
      },
    },
  },
);
