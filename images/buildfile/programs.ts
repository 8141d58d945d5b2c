// What the linter knows about programs: the built-in utilities (`#!builtin <name>` files),
// which paths a program registers in the pathname space, and which never return when run
// in the foreground. Keep in step with firmware/bin/index.ts and the drivers.

/** Built-in programs of the runtime (firmware/bin, the shell, drivers, managers). */
export const KNOWN_BUILTINS: readonly string[] = [
  // shell
  "ksh",
  "sh",
  // general utilities (issue 3)
  "ls",
  "cat",
  "echo",
  "cp",
  "mv",
  "rm",
  "mkdir",
  "rmdir",
  "ln",
  "touch",
  "head",
  "tail",
  "grep",
  "wc",
  "env",
  "hostname",
  "on",
  "uname",
  "date",
  "sleep",
  "uptime",
  "pidin",
  "sloginfo",
  "slog2info",
  "kill",
  "waitfor",
  "mount",
  "umount",
  "stty",
  "shutdown",
  "use",
  "which",
  "gpio",
  "true",
  "false",
  // network utilities (issue 4) and Qnet
  "ifconfig",
  "route",
  "netstat",
  "nicinfo",
  "ping",
  "arp",
  "sysctl",
  "tcpdump",
  "if_up",
  "on",
  // drivers and managers
  "devc-ser",
  "io-pkt",
  "io-pkt-v4",
  "io-pkt-v4-hc",
  "io-pkt-v6-hc",
  "slogger",
  "slogger2",
  "gpio-manager",
];

/** Paths the runtime registers before the script runs (boot mounts them). */
export const RUNTIME_PATHS: readonly string[] = [
  "/proc",
  "/proc/boot",
  "/dev/null",
  "/dev/zero",
  "/dev/random",
  "/dev/urandom",
  "/dev/shmem",
  "/dev/slog",
  "/tmp",
];

/** Interactive programs that never return when run in the foreground. */
export const NEVER_RETURNS: readonly string[] = ["ksh", "sh", "esh"];

const IO_PKT = /^io-pkt(?:-v4|-v4-hc|-v6-hc)?$/;

export function isIoPkt(name: string): boolean {
  return IO_PKT.test(name);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * `devc-ser -t terminal`, `devc-ser -b115200 -u2 /dev/ttyS1`: one /dev/serN per device
 * argument (a terminal or mock backend without one still makes a unit), from `-u` on.
 */
function devcSerPaths(argv: readonly string[]): string[] {
  let unit = 1;
  let devices = 0;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const m = /^-([bcuto])(.*)$/.exec(a);
    if (m) {
      const v = m[2] !== "" ? m[2] : argv[++i];
      if (m[1] === "u" && /^[0-9]+$/.test(v ?? "")) unit = Number(v);
    } else if (!a.startsWith("-")) {
      devices++;
    }
  }
  return Array.from({ length: Math.max(1, devices) }, (_, k) => `/dev/ser${unit + k}`);
}

/** io-pkt registers its socket tree under the tcpip `prefix=`. */
function ioPktPaths(argv: readonly string[]): string[] {
  let prefix = "";
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === "-p" && argv[i + 1] === "tcpip" && argv[i + 2] && !argv[i + 2].startsWith("-")) {
      const m = /(?:^|,)prefix=([^,]*)/.exec(argv[i + 2]);
      if (m) prefix = m[1].replace(/\/$/, "");
    }
  }
  return ["/dev/socket", "/dev/io-pkt", "/dev/io-net", "/dev/bpf", "/dev/bpf0", "/dev/tap"].map(
    (p) => prefix + p,
  );
}

/** Paths a command registers, from its name and arguments; [] when unknown. */
export function pathsRegisteredBy(argv: readonly string[]): string[] {
  const name = baseName(argv[0] ?? "");
  if (name.startsWith("devc-ser")) return devcSerPaths(argv);
  if (isIoPkt(name)) return ioPktPaths(argv);
  if (name === "slogger" || name === "slogger2") return ["/dev/slog", "/dev/slog2"];
  if (name === "gpio-manager") return ["/dev/gpio"];
  if (name === "pipe") return ["/dev/pipe"];
  if (name === "mqueue") return ["/dev/mqueue"];
  if (name === "random") return ["/dev/random", "/dev/urandom"];
  return [];
}

/** Paths served as whole trees (a waitfor on anything below them is satisfied). */
export const TREE_PATHS = /^(?:.*\/dev\/socket|\/proc|\/tmp|\/dev\/shmem)$/;
