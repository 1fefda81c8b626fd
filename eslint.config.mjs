// ESLint flat config: typescript-eslint's type-aware recommended rules, with
// Prettier owning formatting (eslint-config-prettier turns clashing rules off).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.js', '*.mjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      eqeqeq: ['error', 'smart'],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', process: 'readonly' },
    },
  },
  {
    // Server code runs in Node on Twilio: the DOM types exist for the browser
    // tests' page callbacks, so keep browser globals out of it by rule.
    files: ['src/**/*.ts', 'functions/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['window', 'document', 'navigator', 'location', 'localStorage', 'sessionStorage'].map(
          (name) => ({ name, message: 'Functions run in Node: no browser globals here.' }),
        ),
      ],
    },
  },
  {
    // Keep the shape (docs/architecture.md): production files stay small
    // enough to read at once, functions shorter still, and a switch over a
    // union (a hand-off mode, a chat phase) names every member.
    files: ['src/**/*.ts', 'functions/**/*.ts', 'client/**/*.ts', 'scripts/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/tests/**', '../tests/*', '../../tests/*'],
              message: 'Production code imports nothing from tests/ (the local fake is in dev/).',
            },
          ],
        },
      ],
    },
  },
  {
    // The widget's bundle takes from src/ only the modules written for both
    // sides (no Node API, no server code): the limits and the character rule.
    files: ['client/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/tests/**', '../tests/*', '../../tests/*'],
              message: 'Production code imports nothing from tests/ (the local fake is in dev/).',
            },
            {
              group: ['**/src/**', '!**/src/limits', '!**/src/plain-text'],
              message:
                'The widget imports from src/ only limits.ts and plain-text.ts (shared with the browser).',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests lean on jest's loosely typed matchers and hand-built fixtures.
    files: ['**/*.test.ts', 'tests/**/*.ts', 'dev/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  prettier,
);
