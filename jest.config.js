/** Jest: unit tests (fakes allowed) and acceptance tests (real peers, in-process functions). */
const transform = { '^.+\\.[tj]s$': ['ts-jest', { diagnostics: false, tsconfig: '<rootDir>/tsconfig.jest.json' }] };
// ESM-only packages that must be transformed for Jest's CommonJS runtime.
const transformIgnorePatterns = ['/node_modules/(?!(jose|@apidevtools/json-schema-ref-parser)/)'];

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30000,
  projects: [
    { displayName: 'unit', testEnvironment: 'node', transform, transformIgnorePatterns, testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      displayName: 'acceptance',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/acceptance/**/*.test.ts'],
    },
  ],
};
