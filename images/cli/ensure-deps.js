// Runs before `npm start` / `npm test`: installs node_modules on a fresh clone.
// Plain JavaScript with no dependencies, because nothing is installed yet when it runs.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { installDiff } from "./deps-state.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const marker = join(root, "node_modules", ".package-lock.json");
const lock = join(root, "package-lock.json");
/** What the last install found: were libpcap's headers there, did pcap load after it. */
const note = join(root, "node_modules", ".netrino-deps.json");

/**
 * Whether node-pcap loads, asked of a fresh Node process: this one may have resolved (and
 * failed) `pcap` before the install, and an in-process retry then answers from stale state —
 * which printed "failed to build" on the very run that had just built it.
 */
function pcapLoads() {
  const r = spawnSync(process.execPath, ["-e", "require('pcap')"], { cwd: root, stdio: "ignore" });
  return r.status === 0;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
}

/** Why node_modules must be (re)installed, or null when it holds what the lock asks for. */
function installNeeded() {
  const installed = readJson(marker);
  if (installed === null) return "node_modules is not installed";
  const locked = readJson(lock);
  if (locked === null) return null; // no lock: whatever npm install put there stands
  const diff = installDiff(locked, installed);
  return diff.length === 0 ? null : diff[0] + (diff.length > 1 ? ` (and ${diff.length - 1} more)` : "");
}

// pcap is optional: it builds only where libpcap's headers are installed. If they arrived
// after the last install (apt-get install libpcap-dev), install once more so it gets built —
// once: a build that fails with the headers present is not retried on every run (that
// reinstalled node_modules at every `npm test`/`npm start`).
const libpcapHeaders = existsSync("/usr/include/pcap/pcap.h") || existsSync("/usr/include/pcap.h");
const last = readJson(note);
const stale =
  installNeeded() ??
  (libpcapHeaders && !last?.headers && !pcapLoads() ? "libpcap's headers arrived: building pcap" : null);
let pcapOk = last?.pcap === true;
if (stale !== null) {
  process.stderr.write("netrino: installing npm dependencies (" + stale + ")...\n");
  const cmd = existsSync(lock) ? ["ci", "--no-audit", "--no-fund"] : ["install", "--no-audit", "--no-fund"];
  const r = spawnSync("npm", cmd, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) {
    process.stderr.write("netrino: npm " + cmd[0] + " failed (status " + r.status + ")\n");
    process.exit(r.status ?? 1);
  }
  pcapOk = pcapLoads();
  writeFileSync(note, JSON.stringify({ headers: libpcapHeaders, pcap: pcapOk }) + "\n");
} else if (!last || last.headers !== libpcapHeaders) {
  pcapOk = pcapLoads();
  writeFileSync(note, JSON.stringify({ headers: libpcapHeaders, pcap: pcapOk }) + "\n");
}
if (!pcapOk) {
  const why = libpcapHeaders
    ? "it failed to build (npm rebuild pcap shows why)"
    : "libpcap's headers are missing (apt-get install libpcap-dev)";
  process.stderr.write("netrino: the pcap driver (devnp-pcap) is unavailable: " + why + "\n");
}
