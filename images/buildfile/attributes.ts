// The attributes a buildfile may use (file attributes in `[…]` before files, modifiers in
// the startup script), each with a check of its value. mkifs attributes that mean nothing
// to netrino (they place code in physical memory) are accepted with a warning.
import { boardNames } from "../../boards/index.ts";
import { parsePerms } from "./perms.ts";

export interface AttributeSpec {
  readonly name: string;
  /** `bool`: `+name`/`-name`; `value`: `name=value`. */
  readonly kind: "bool" | "value";
  readonly description: string;
  /** An error message for a bad value, or undefined. */
  readonly check?: (value: string) => string | undefined;
}

export const FILE_TYPES = ["file", "link", "dir", "fifo", "builtin"] as const;
export type FileType = (typeof FILE_TYPES)[number];

const ID = /^[0-9]{1,10}$/;

function checkId(what: string) {
  return (v: string) =>
    ID.test(v) && Number(v) <= 0xffffffff ? undefined : `${what} must be a number, not "${v}"`;
}

function checkPerms(v: string): string | undefined {
  const r = parsePerms(v, 0o644);
  return "error" in r ? r.error : undefined;
}

export const FILE_ATTRIBUTES: readonly AttributeSpec[] = [
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
  { name: "compress", kind: "bool", description: "store the file deflate-compressed" },
  { name: "followlink", kind: "bool", description: "copy what a host symlink points to (the default)" },
  {
    name: "board",
    kind: "value",
    description: "the board this image is for",
    check: (v) =>
      boardNames().includes(v) ? undefined : `Unknown board "${v}"; boards: ${boardNames().join(", ")}`,
  },
];

/** mkifs attributes about physical memory layout and boot images: meaningless here. */
export const IGNORED_MKIFS_ATTRIBUTES: readonly string[] = [
  "image",
  "virtual",
  "physical",
  "raw",
  "cd",
  "chain",
  "code",
  "data",
  "filter",
  "keep",
  "module",
  "page_align",
  "ram",
  "autolink",
  "bigendian",
  "linker",
  "big_pages",
];

const PRI = /^([0-9]{1,3})([fro]?)$/;

export const SCRIPT_MODIFIERS: readonly AttributeSpec[] = [
  {
    name: "pri",
    kind: "value",
    description: "priority and policy: pri=N[f|r|o]",
    check: (v) => {
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
  { name: "cpu", kind: "value", description: "run on this CPU", check: checkId("cpu") },
  {
    name: "external",
    kind: "bool",
    description: "look the command up on PATH even if it is a script built-in",
  },
];

export function findAttribute(specs: readonly AttributeSpec[], name: string): AttributeSpec | undefined {
  return specs.find((s) => s.name === name);
}

/** `pri=10r` → { priority: 10, policy: "r" }. */
export function parsePriority(v: string): { priority: number; policy?: "f" | "r" | "o" } | undefined {
  const m = PRI.exec(v);
  if (!m || Number(m[1]) > 255) return undefined;
  return { priority: Number(m[1]), policy: (m[2] || undefined) as "f" | "r" | "o" | undefined };
}
