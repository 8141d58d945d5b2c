// The path and process manager across nodes, reached as pid 1 channel 1 (procnto's, on QNX);
// Qnet answers messages sent there on the kernel's behalf (kernel-link.ts), so they travel as
// ordinary remote MsgSends.
// - Resolve: what `/net/<node>/rest` needs from the other node before it can open anything
//   there — which managers serve `rest` in its path space (and the names registrations put
//   below it, for virtual directories like /dev).
// - Spawn (`on -n`): run a program there with its descriptors connected back to the asker's
//   (the connections of the asker's fds, which the child dups over Qnet); the reply comes when
//   it exits, its status being the exit status.
import bin from "typed-binary";
import type { Parsed } from "typed-binary";
import { KernelError, errnoName } from "../../kernel/errno.ts";
import type { PathSpace, PathType, RemoteResolution } from "../../kernel/pathspace.ts";
import { decode, encode } from "../control/codec.ts";

/** Where a node's path manager listens: procnto's pid and channel, as on QNX. */
export const PATHMGR_PID = 1;
export const PATHMGR_CHID = 1;

const Query = bin.object({ op: bin.u32, path: bin.string, follow: bin.u8 });
const QUERY_RESOLVE = 1;
const QUERY_SPAWN = 2;

const Spawn = bin.object({
  op: bin.u32,
  argv: bin.dynamicArrayOf(bin.string),
  /** `NAME=value` each. */
  env: bin.dynamicArrayOf(bin.string),
  cwd: bin.string,
  /** The asker's pid: owner of the handles below. */
  pid: bin.u32,
  /** Descriptors for the child: its fd, and the asker's connection (pid, chid on the asker's node) and handle. */
  fds: bin.dynamicArrayOf(
    bin.object({ fd: bin.u32, pid: bin.u32, chid: bin.u32, handle: bin.u32, flags: bin.u32 }),
  ),
  /** The program to load (with SPAWN_ASKERS_FILE: a path on the asker's node); "": argv[0] on this node's PATH. */
  path: bin.string,
  /** SPAWN_* below. */
  opts: bin.u32,
  /** The child's priority; 0: the default. */
  priority: bin.u32,
  /** `on -t`: a terminal of this node to open as the child's 0, 1 and 2 (instead of `fds`). */
  tty: bin.string,
});
export type SpawnRequest = Parsed<typeof Spawn>;

/** `on -d`: reply as soon as the program runs (status 0), without waiting for it. */
export const SPAWN_DETACH = 1;
/** `on -n`: `path` is the asker's file, loaded through /net/<asker>. */
export const SPAWN_ASKERS_FILE = 2;

export function encodeSpawnRequest(r: Omit<SpawnRequest, "op">): Uint8Array {
  return encode(Spawn, { ...r, op: QUERY_SPAWN }, "little");
}

/** A spawn request, or null when the message is a path query. */
export function decodeSpawnRequest(msg: Uint8Array): SpawnRequest | null {
  if (msg.length < 4 || new DataView(msg.buffer, msg.byteOffset, 4).getUint32(0, true) !== QUERY_SPAWN)
    return null;
  return decode(Spawn, msg, "little", "qnet spawn request");
}

const TYPES: readonly (PathType | "link")[] = ["file", "dir", "link"];

const Answer = bin.object({
  status: bin.i32,
  /** The path after the node's own path-space links. */
  path: bin.string,
  matches: bin.dynamicArrayOf(
    bin.object({
      pid: bin.u32,
      chid: bin.u32,
      handle: bin.u32,
      type: bin.u8,
      prefix: bin.string,
      rest: bin.string,
    }),
  ),
  children: bin.dynamicArrayOf(bin.object({ name: bin.string, type: bin.u8 })),
});
type AnswerValue = Parsed<typeof Answer>;

export function encodePathQuery(path: string, follow: boolean): Uint8Array {
  return encode(Query, { op: QUERY_RESOLVE, path, follow: follow ? 1 : 0 }, "little");
}

/** Answers a query from another node out of this node's path space. */
export function answerPathQuery(paths: PathSpace, msg: Uint8Array): Uint8Array {
  const q = decode(Query, msg, "little", "qnet path query");
  if (q.op !== QUERY_RESOLVE) throw new KernelError("ENOSYS", `qnet path query: unknown op ${q.op}`);
  const out: AnswerValue = { status: 0, path: q.path, matches: [], children: [] };
  try {
    const p = paths.expandLinks(q.path, q.follow !== 0);
    out.path = p;
    out.children = paths.children(p).map((c) => ({ name: c.name, type: TYPES.indexOf(c.type) }));
    for (const m of paths.resolve(p)) {
      if (m.reg.nd !== 0) continue; // a node does not relay to a third one
      out.matches.push({
        pid: m.reg.pid,
        chid: m.reg.chid,
        handle: m.reg.handle,
        type: m.reg.type === "file" ? 0 : 1,
        prefix: m.reg.prefix,
        rest: m.rest,
      });
    }
  } catch (e) {
    out.status = KernelError.from(e).code;
  }
  return encode(Answer, out, "little");
}

/** Decodes an answer; a failed lookup there is thrown here with its errno. */
export function decodePathAnswer(nd: number, bytes: Uint8Array): RemoteResolution {
  const a = decode(Answer, bytes, "little", "qnet path answer");
  if (a.status !== 0)
    throw new KernelError(
      errnoName(a.status) ?? "EIO",
      `${a.path}: ${errnoName(a.status) ?? a.status} on the remote node`,
    );
  return {
    path: a.path,
    matches: a.matches.map((m, i) => ({
      reg: {
        id: -1 - i,
        prefix: m.prefix,
        type: m.type === 0 ? "file" : "dir",
        nd,
        pid: m.pid,
        chid: m.chid,
        handle: m.handle,
        order: "normal",
        seq: i,
      },
      rest: m.rest,
    })),
    children: a.children.map((c) => ({ name: c.name, type: TYPES[c.type] ?? "dir" })),
  };
}
