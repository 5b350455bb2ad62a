/** Jest: unit tests (fakes allowed), acceptance tests (real peers, in-process functions), Pact contracts. */
const transform = {
  // kafkajs's negative timer, patched as in the bundles (see the transform); the first matching key wins.
  'kafkajs/src/network/requestQueue/index\\.js$': '<rootDir>/test/support/kafkajs-transform.js',
  // Each file is transpiled on its own (isolatedModules, fast); diagnostics report what that finds. The tests'
  // types are checked with the rest of the code by `make typecheck` (tsconfig.json includes test/).
  '^.+\\.[tj]s$': ['ts-jest', { diagnostics: true, tsconfig: '<rootDir>/tsconfig.jest.json' }],
};
// functions/catalog.ts loads each function with import('./<name>/app.js') (ESM-style, as tsc wants it);
// Jest's CommonJS resolver finds the .ts file without the extension.
const moduleNameMapper = { '^(\\.{1,2}/.*)\\.js$': '$1' };
// Transformed although in node_modules: ESM-only packages (for Jest's CommonJS runtime) and the kafkajs file above.
const transformIgnorePatterns = [
  '/node_modules/(?!(jose|raw-body|kafkajs/src/network/requestQueue|@apidevtools/json-schema-ref-parser|https-proxy-agent|agent-base|proxy-agent-negotiate|proxy-from-env|postgrator)/)',
];
// Contract tests: Pact's telemetry off.
const setupFiles = ['<rootDir>/test/support/pact-setup.ts'];

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      moduleNameMapper,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      displayName: 'acceptance',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      moduleNameMapper,
      testMatch: ['<rootDir>/test/acceptance/**/*.test.ts'],
    },
    // Consumers write the pacts that the providers then verify: run them in that order (make contract).
    {
      displayName: 'contract-consumer',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      moduleNameMapper,
      setupFiles,
      testMatch: ['<rootDir>/test/contract/consumer/**/*.pact.test.ts'],
    },
    {
      displayName: 'contract-provider',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      moduleNameMapper,
      setupFiles,
      testMatch: ['<rootDir>/test/contract/provider/**/*.pact.test.ts'],
    },
  ],
};
