/**
 * Jest runs TypeScript through ts-jest in transpile-only mode (tsconfig has
 * isolatedModules), so tests start fast; `npm run typecheck` checks types.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  roots: ['<rootDir>/src', '<rootDir>/tests', '<rootDir>/client'],
  testMatch: ['**/*.test.ts'],
  globalSetup: '<rootDir>/tests/global-setup.ts',
  setupFilesAfterEnv: ['<rootDir>/tests/setup-console.ts'],
  // Contract tests share one local mock per file; runtime tests start servers.
  testTimeout: 30000,
};
