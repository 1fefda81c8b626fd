/**
 * Jest runs TypeScript through ts-jest in transpile-only mode (tsconfig has
 * isolatedModules), so tests start fast; `npm run typecheck` checks types.
 * @type {import('jest').Config}
 */
// Customers are rarely on UTC, and these machines are: run the suite in a
// zone where local and UTC dates differ, so a UTC slip cannot pass unseen.
process.env.TZ = process.env.TZ || 'America/Los_Angeles';

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  roots: ['<rootDir>/src', '<rootDir>/tests', '<rootDir>/client', '<rootDir>/dev'],
  testMatch: ['**/*.test.ts'],
  globalSetup: '<rootDir>/tests/global-setup.ts',
  setupFilesAfterEnv: ['<rootDir>/tests/setup-console.ts'],
  // Contract tests share one local mock per file; runtime tests start servers.
  testTimeout: 30000,
  // marked (the widget's Markdown, client/lib/markdown.ts) ships only ES modules to
  // Node; its UMD build is the same code as CommonJS, which Jest can load.
  moduleNameMapper: { '^marked$': '<rootDir>/node_modules/marked/lib/marked.umd.js' },
};
