/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/platform', '<rootDir>/subgraphs', '<rootDir>/gateway', '<rootDir>/runtime', '<rootDir>/tests', '<rootDir>/bin'],
  testMatch: ['**/*.test.ts'],
  // The benchmark smoke runs start Hive Gateway and take minutes: `npm run test:bench` (jest.bench.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/bench/'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  setupFiles: ['reflect-metadata'],
  globalSetup: '<rootDir>/tests/global-setup.ts',
  globalTeardown: '<rootDir>/tests/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};
