/** Jest: unit tests (fakes allowed), acceptance tests (real peers, in-process functions), Pact contracts. */
const transform = {
  // kafkajs's negative timer, patched as in the bundles (see the transform); the first matching key wins.
  'kafkajs/src/network/requestQueue/index\\.js$': '<rootDir>/test/support/kafkajs-transform.js',
  '^.+\\.[tj]s$': ['ts-jest', { diagnostics: false, tsconfig: '<rootDir>/tsconfig.jest.json' }],
};
// Transformed although in node_modules: ESM-only packages (for Jest's CommonJS runtime) and the kafkajs file above.
const transformIgnorePatterns = ['/node_modules/(?!(jose|raw-body|kafkajs/src/network/requestQueue|@apidevtools/json-schema-ref-parser|https-proxy-agent|agent-base|proxy-agent-negotiate|proxy-from-env)/)'];
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
