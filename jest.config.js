/** @type {import('jest').Config} */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // ts-jest type-checks in `npm run build`; here it only transpiles, which keeps the suite fast.
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 60000,
  // Two workers on CI's 2 cores: the real-server suites spend most of their time waiting on the servers
  // they start (Sentinel failovers, replication), so a second worker overlaps them with the CPU-bound
  // mock-engine suites (jest's default is one worker per core less one: one here). Measured: 275 s -> 178 s.
  maxWorkers: 2,
};
