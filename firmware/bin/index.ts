// The table of built-in programs: a file whose first line is `#!builtin <name>` runs the
// program registered here under <name>. Loaders are lazy (import() on first use), with
// literal specifiers so the runtime bundler sees every module.
import type { Program } from "../program.ts";

export type ProgramLoader = () => Promise<{ default: Program }>;

export const BUILTIN_PROGRAMS: Readonly<Record<string, ProgramLoader>> = {
  // shell
  ksh: () => import("../shell/ksh.ts"),
  sh: () => import("../shell/ksh.ts"),
  // files
  ls: () => import("./ls.ts"),
  cat: () => import("./cat.ts"),
  echo: () => import("./echo.ts"),
  cp: () => import("./cp.ts"),
  mv: () => import("./mv.ts"),
  rm: () => import("./rm.ts"),
  mkdir: () => import("./mkdir.ts"),
  rmdir: () => import("./rmdir.ts"),
  ln: () => import("./ln.ts"),
  touch: () => import("./touch.ts"),
  head: () => import("./head.ts"),
  tail: () => import("./tail.ts"),
  grep: () => import("./grep.ts"),
  wc: () => import("./wc.ts"),
  true: () => import("./true.ts"),
  false: () => import("./false.ts"),
  // system
  env: () => import("./env.ts"),
  on: () => import("./on.ts"),
  hostname: () => import("./hostname.ts"),
  uname: () => import("./uname.ts"),
  date: () => import("./date.ts"),
  sleep: () => import("./sleep.ts"),
  uptime: () => import("./uptime.ts"),
  pidin: () => import("./pidin.ts"),
  sloginfo: () => import("./sloginfo.ts"),
  slog2info: () => import("./slog2info.ts"),
  kill: () => import("./kill.ts"),
  waitfor: () => import("./waitfor.ts"),
  mount: () => import("./mount.ts"),
  umount: () => import("./umount.ts"),
  stty: () => import("./stty.ts"),
  shutdown: () => import("./shutdown.ts"),
  use: () => import("./use.ts"),
  which: () => import("./which.ts"),
  gpio: () => import("./gpio.ts"),
  "gpio-manager": () => import("../gpio/gpio-manager-program.ts"),
  // drivers and managers
  "devc-ser": () => import("./devc-ser.ts"),
  "io-pkt": () => import("../net/io-pkt.ts"),
  // network utilities
  ifconfig: () => import("./ifconfig.ts"),
  "dhcp.client": () => import("./dhcp-client.ts"),
  route: () => import("./route.ts"),
  netstat: () => import("./netstat.ts"),
  nicinfo: () => import("./nicinfo.ts"),
  ping: () => import("./ping.ts"),
  nc: () => import("./nc.ts"),
  fetch: () => import("./fetch.ts"),
  httpd: () => import("./httpd.ts"),
  telnetd: () => import("./telnetd.ts"),
  arp: () => import("./arp.ts"),
  sysctl: () => import("./sysctl.ts"),
  tcpdump: () => import("./tcpdump.ts"),
  if_up: () => import("./if_up.ts"),
};

/** Loads the built-in program `name`; ENOENT-shaped `undefined` when there is none. */
export async function loadBuiltin(name: string): Promise<Program | undefined> {
  const loader = Object.hasOwn(BUILTIN_PROGRAMS, name) ? BUILTIN_PROGRAMS[name] : undefined;
  if (!loader) return undefined;
  return (await loader()).default;
}
