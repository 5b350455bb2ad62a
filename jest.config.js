/** Jest: unit tests (fakes allowed) and acceptance tests (real peers, in-process functions). */
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30000,
  projects: [
    { displayName: 'unit', testEnvironment: 'node', transform, testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      displayName: 'acceptance',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/acceptance/**/*.test.ts'],
    },
  ],
};
