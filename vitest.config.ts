import { defineConfig } from "vitest/config";

// Two projects: the unit tests run in parallel first; then the system suites (network
// namespaces against Linux, end-to-end boots on ptys) run one file at a time, so that on a
// 2-core CI machine their runtimes, Linux pings and floods do not compete for the CPU with
// each other or with the unit tests.
export default defineConfig({
  test: {
    // CI runs the fuzz tests at full size (test/helpers/fuzz.ts: 10-40x the local count), which
    // takes 30-40 s on a loaded 2-core machine.
    testTimeout: process.env.CI === "true" ? 120_000 : 30_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "system",
          include: ["test/net/**/*.test.ts", "test/e2e/**/*.test.ts"],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
