// eslint for the pages' JavaScript (`make lint`). eslint and these two packages are pinned
// in tools/eslint (package-lock.json, integrity hashes) and installed there with npm ci, so
// they are imported from that directory: the repository has no node_modules of its own.
import js from './tools/eslint/node_modules/@eslint/js/src/index.js';
import globals from './tools/eslint/node_modules/globals/index.js';

export default [
  { ignores: ['handoff/static/vendor/**', 'tools/**', 'var/**', '.venv*/**', 'node_modules/**'] },
  js.configs.recommended,
  {
    files: ['handoff/static/**/*.js'],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      // the vendored socket.io client's global; nothing else of our own
      globals: { ...globals.browser, io: 'readonly' },
    },
    rules: {
      'no-var': 'error',
      'prefer-const': 'error',
      eqeqeq: ['error', 'always'],
      'no-implicit-globals': 'error',
      'no-restricted-syntax': ['error',
        { selector: 'ExportDefaultDeclaration[declaration.type!="ObjectExpression"]',
          message: 'Use named exports (default only for catalogue data).' }],
      'no-unused-vars': ['error', { args: 'after-used', caughtErrors: 'none' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
      'max-lines': ['error', { max: 400 }],
      quotes: 'off',
    },
  },
  {
    // the embed contract: /widget.js is a classic script (a <script> tag on any page)
    files: ['handoff/static/widget.js'],
    languageOptions: { sourceType: 'script' },
  },
  {
    files: ['tests/**/*.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node } },
  },
];
