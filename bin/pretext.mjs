#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, with the project's tsconfig (path aliases) and migrations
// found from the project root whatever the working directory.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.env.TSX_TSCONFIG_PATH ??= path.join(root, "tsconfig.json");
process.env.PRETEXT_MIGRATIONS_DIR ??= path.join(root, "drizzle/migrations");
await import("tsx");
await import(pathToFileURL(path.join(root, "workers/cli/main.ts")).href);
