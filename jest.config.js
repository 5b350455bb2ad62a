/** Jest: unit tests (fakes allowed), acceptance tests (real peers, in-process functions), Pact contracts. */
const transform = { '^.+\\.[tj]s$': ['ts-jest', { diagnostics: false, tsconfig: '<rootDir>/tsconfig.jest.json' }] };
// ESM-only packages that must be transformed for Jest's CommonJS runtime.
const transformIgnorePatterns = ['/node_modules/(?!(jose|raw-body|@apidevtools/json-schema-ref-parser|https-proxy-agent|agent-base|proxy-agent-negotiate|proxy-from-env)/)'];
// Contract tests: Pact's telemetry off.
const setupFiles = ['<rootDir>/test/support/pact-setup.ts'];

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
    // Consumers write the pacts that the providers then verify: run them in that order (make contract).
    { displayName: 'contract-consumer', testEnvironment: 'node', transform, transformIgnorePatterns, setupFiles, testMatch: ['<rootDir>/test/contract/consumer/**/*.pact.test.ts'] },
    { displayName: 'contract-provider', testEnvironment: 'node', transform, transformIgnorePatterns, setupFiles, testMatch: ['<rootDir>/test/contract/provider/**/*.pact.test.ts'] },
  ],
};
