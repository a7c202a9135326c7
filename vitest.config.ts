import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(__dirname) } },
  test: {
    include: ["server/**/*.test.ts", "workers/**/*.test.ts", "app/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: false,
    // Real datasets live beside the repo in ../shared/data unless PRETEXT_DATA_DIR says otherwise.
    // Procedures are tested as an unrestricted caller; server/auth's tests turn authentication on.
    env: { PRETEXT_DATA_DIR: process.env.PRETEXT_DATA_DIR ?? path.resolve(__dirname, "../shared/data"), PRETEXT_AUTH: "off" },
  },
});
