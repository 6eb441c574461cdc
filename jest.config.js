/** Two projects: fast unit/golden/corpus tests, and the Docker end-to-end suite. */
const tsJest = ['ts-jest', { diagnostics: false }];
module.exports = {
  // e2e tests build images; each sets its own timeout too.
  testTimeout: 900000,
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/golden/**/*.test.ts', '<rootDir>/test/corpus/**/*.test.ts', '<rootDir>/test/lint/**/*.test.ts', '<rootDir>/transforms/**/*.test.ts', '<rootDir>/src/**/*.test.ts', '<rootDir>/test/property/**/*.test.ts'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
    },
  ],
};
