// Runs before `npm start` / `npm test`: installs node_modules on a fresh clone.
// Plain JavaScript with no dependencies, because nothing is installed yet when it runs.
import { existsSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const marker = join(root, "node_modules", ".package-lock.json");
const lock = join(root, "package-lock.json");
const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
if (stale) {
  process.stderr.write("netrino: installing npm dependencies (first run)...\n");
  const cmd = existsSync(lock) ? ["ci", "--no-audit", "--no-fund"] : ["install", "--no-audit", "--no-fund"];
  const r = spawnSync("npm", cmd, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) {
    process.stderr.write("netrino: npm " + cmd[0] + " failed (status " + r.status + ")\n");
    process.exit(r.status ?? 1);
  }
}
