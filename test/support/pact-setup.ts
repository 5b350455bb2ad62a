/**
 * Loaded before every contract test file (jest.config.js): Pact's native core sends anonymous usage
 * events and prints a notice about them unless PACT_DO_NOT_TRACK is true. Contract runs stay on loopback.
 */
process.env.PACT_DO_NOT_TRACK ??= 'true';
