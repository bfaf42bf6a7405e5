/** `npm run test:bench`: the benchmark scenarios on a tiny data set, with the same setup as `npm test`. */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/tests/bench'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 240_000,
  // Each scenario builds the project into the same folder (bench/results/build) and runs many processes: one at a time.
  maxWorkers: 1,
};
