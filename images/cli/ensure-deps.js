// Runs before `npm start` / `npm test`: installs node_modules on a fresh clone.
// Plain JavaScript with no dependencies, because nothing is installed yet when it runs.
import { existsSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const marker = join(root, "node_modules", ".package-lock.json");
const lock = join(root, "package-lock.json");
const require = createRequire(join(root, "package.json"));

function pcapLoads() {
  try {
    require("pcap");
    return true;
  } catch {
    return false;
  }
}

// pcap is optional: it builds only where libpcap's headers are installed. If they arrived
// after the first install (apt-get install libpcap-dev), install again so it gets built.
const libpcapHeaders = existsSync("/usr/include/pcap/pcap.h") || existsSync("/usr/include/pcap.h");
const stale =
  !existsSync(marker) ||
  (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs) ||
  (libpcapHeaders && !pcapLoads());
if (stale) {
  process.stderr.write("netrino: installing npm dependencies...\n");
  const cmd = existsSync(lock) ? ["ci", "--no-audit", "--no-fund"] : ["install", "--no-audit", "--no-fund"];
  const r = spawnSync("npm", cmd, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) {
    process.stderr.write("netrino: npm " + cmd[0] + " failed (status " + r.status + ")\n");
    process.exit(r.status ?? 1);
  }
}
if (!pcapLoads()) {
  const why = libpcapHeaders
    ? "it failed to build"
    : "libpcap's headers are missing (apt-get install libpcap-dev)";
  process.stderr.write("netrino: the pcap driver (devnp-pcap) is unavailable: " + why + "\n");
}
