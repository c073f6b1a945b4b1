/**
 * The real-engine suite (`npm run test:e2e`): the Pulumi CLI, its plugins and a control plane built
 * from Go modules by e2e/build-tools.sh. Files are `test/e2e/*.e2e.ts`, run one at a time: each starts
 * its own control plane and they share the machine's two cores.
 * @type {import('jest').Config}
 */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/test/e2e"],
  testMatch: ["**/*.e2e.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  maxWorkers: 1,
  testTimeout: 15 * 60 * 1000,
};
