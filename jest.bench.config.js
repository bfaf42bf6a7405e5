/** `npm run test:bench`: the benchmark scenarios on a tiny data set, with the same setup as `npm test`. */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/tests/bench'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 240_000,
};
