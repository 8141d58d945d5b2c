#!/usr/bin/env node
// `npm run bench -- <name>`: runs test/bench/<name>.ts, which prints one JSON line.
import { register } from "tsx/esm/api";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "test", "bench");
const name = process.argv[2];
const file = name && join(dir, name + ".ts");
if (!file || !existsSync(file)) {
  const have = readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && !f.startsWith("_"))
    .map((f) => f.slice(0, -3));
  process.stderr.write("usage: npm run bench -- <name>\nbenchmarks: " + have.join(", ") + "\n");
  process.exit(2);
}
register();
await import(pathToFileURL(file).href);
