// The attributes a buildfile may use (file attributes in `[…]` before files, modifiers in
// the startup script), each with a check of its value. mkifs attributes that mean nothing
// to netrino (they place code in physical memory) are accepted with a warning.
import { boardNames } from "../../boards/index.ts";
import { parsePerms } from "./perms.ts";

export interface AttributeSpec {
  readonly name: string;
  /** `bool`: `+name`/`-name`; `value`: `name=value`; `either`: both forms (mkifs `compress`). */
  readonly kind: "bool" | "value" | "either";
  readonly description: string;
  /** Accepted and ignored, for this reason (a note; a warning under `--strict`). */
  readonly ignored?: string;
  /** An error message for a bad value, or undefined. */
  readonly check?: (value: string) => string | undefined;
}

export const FILE_TYPES = ["file", "link", "dir", "fifo", "builtin"] as const;
export type FileType = (typeof FILE_TYPES)[number];

const ID = /^[0-9]{1,10}$/;

/** `uid=*`, `gid=*`, `perms=*`: take it from the host file (mkifs). */
export const FROM_HOST = "*";

function checkId(what: string) {
  return (v: string) =>
    v === FROM_HOST || (ID.test(v) && Number(v) <= 0xffffffff)
      ? undefined
      : `${what} must be a number or *, not "${v}"`;
}

function checkPerms(v: string): string | undefined {
  if (v === FROM_HOST) return undefined;
  const r = parsePerms(v, 0o644);
  return "error" in r ? r.error : undefined;
}

const HONOURED_FILE_ATTRIBUTES: readonly AttributeSpec[] = [
  { name: "uid", kind: "value", description: "owner user id", check: checkId("uid") },
  { name: "gid", kind: "value", description: "owner group id", check: checkId("gid") },
  { name: "perms", kind: "value", description: "file permissions (octal or u+x,go-w)", check: checkPerms },
  {
    name: "dperms",
    kind: "value",
    description: "permissions of directories created for the file",
    check: checkPerms,
  },
  {
    name: "type",
    kind: "value",
    description: "file | link | dir | fifo | builtin",
    check: (v) =>
      (FILE_TYPES as readonly string[]).includes(v)
        ? undefined
        : `Unknown type "${v}"; use ${FILE_TYPES.join(", ")}`,
  },
  {
    name: "prefix",
    kind: "value",
    description: "directory for relative targets (default /proc/boot)",
    check: (v) => (v === "" || v.startsWith("/") ? undefined : `prefix must be an absolute path, not "${v}"`),
  },
  { name: "search", kind: "value", description: "host directories searched for bare names (a:b:c)" },
  { name: "optional", kind: "bool", description: "a missing host file is skipped, not an error" },
  { name: "script", kind: "bool", description: "this file is the startup script" },
  {
    name: "compress",
    kind: "either",
    description: "store the file deflate-compressed (+compress, or compress=N: 0 is off)",
  },
  {
    name: "cd",
    kind: "value",
    description: "host directory relative host paths are looked up in (relative to the buildfile)",
  },
  {
    name: "dupignore",
    kind: "bool",
    description: "a later definition of the same target is ignored instead of replacing this one",
  },
  { name: "followlink", kind: "bool", description: "copy what a host symlink points to (the default)" },
  {
    name: "board",
    kind: "value",
    description: "the board this image is for",
    check: (v) =>
      boardNames().includes(v) ? undefined : `Unknown board "${v}"; boards: ${boardNames().join(", ")}`,
  },
];

const ELF = "images hold no ELF executables to relocate, strip or link";
const LAYOUT = "netrino has no physical image layout: the image is a file the runtime reads";

function ignored(name: string, kind: AttributeSpec["kind"], reason: string): AttributeSpec {
  return { name, kind, description: `mkifs; ignored here: ${reason}`, ignored: reason };
}

/** mkifs attributes that mean nothing here: accepted, with a note saying why. */
const IGNORED_FILE_ATTRIBUTES: readonly AttributeSpec[] = [
  ignored("image", "value", LAYOUT),
  ignored("virtual", "value", LAYOUT),
  ignored("physical", "value", LAYOUT),
  ignored("raw", "bool", LAYOUT),
  ignored("chain", "value", LAYOUT),
  ignored("code", "value", LAYOUT),
  ignored("data", "value", LAYOUT),
  ignored("filter", "value", "files are stored as written; no host filter program runs"),
  ignored("keep", "value", LAYOUT),
  ignored("module", "value", "netrino modules are io-pkt's, loaded by name"),
  ignored("page_align", "bool", LAYOUT),
  ignored("phys_align", "value", LAYOUT),
  ignored("ram", "value", LAYOUT),
  ignored("autolink", "bool", ELF),
  ignored("bigendian", "bool", LAYOUT),
  ignored("linker", "value", ELF),
  ignored("big_pages", "bool", LAYOUT),
  ignored("keeplinked", "bool", ELF),
  ignored("relocs", "bool", ELF),
  ignored("debug", "bool", ELF),
  ignored("keepsection", "value", ELF),
  ignored("mount", "value", "the image is always mounted at /proc/boot"),
];

export const FILE_ATTRIBUTES: readonly AttributeSpec[] = [
  ...HONOURED_FILE_ATTRIBUTES,
  ...IGNORED_FILE_ATTRIBUTES,
];

const PRI = /^([0-9]{1,3})([fro]?)$/i;

export const SCRIPT_MODIFIERS: readonly AttributeSpec[] = [
  {
    name: "pri",
    kind: "value",
    description: "priority and policy: pri=N[f|r|o] (pri=* inherits)",
    check: (v) => {
      if (v === FROM_HOST) return undefined;
      const m = PRI.exec(v);
      if (!m || Number(m[1]) > 255) return `Bad priority "${v}": use pri=N[f|r|o] with N in 0..255`;
      return undefined;
    },
  },
  {
    name: "session",
    kind: "bool",
    description: "make the command a session leader with the console as controlling terminal",
  },
  { name: "argv0", kind: "value", description: "argv[0] the program sees" },
  { name: "cpu", kind: "value", description: "run on this CPU (cpu=* any)", check: checkId("cpu") },
  {
    name: "external",
    kind: "bool",
    description: "look the command up on PATH even if it is a script built-in",
  },
  ignored("sched_aps", "value", "netrino has no adaptive partitioning scheduler"),
];

export function findAttribute(specs: readonly AttributeSpec[], name: string): AttributeSpec | undefined {
  return specs.find((s) => s.name === name);
}

/** `pri=10r` → { priority: 10, policy: "r" }. */
export function parsePriority(v: string): { priority: number; policy?: "f" | "r" | "o" } | undefined {
  const m = PRI.exec(v);
  if (!m || Number(m[1]) > 255) return undefined;
  return { priority: Number(m[1]), policy: (m[2].toLowerCase() || undefined) as "f" | "r" | "o" | undefined };
}
