// The shapes a resource manager implements: per-message context, the open control block
// (OCB), and the handler table. Every handler is optional; resmgr.ts supplies the defaults.
import type { Thread } from "../kernel/thread.ts";
import type { MsgInfo } from "../kernel/types.ts";
import type { Errno } from "../kernel/errno.ts";
import type { Attr, Credentials } from "./attr.ts";
import type { DirentRecord } from "./dirent.ts";
import type { ConnectRequest } from "./messages.ts";

/** One path the manager registered in the path space. */
export interface Attachment {
  /** Id the path space hands to clients; it comes back in every _IO_CONNECT. */
  readonly id: number;
  /** The absolute path registered ("/dev/null", "/tmp"). */
  readonly path: string;
  readonly type: "file" | "dir";
  readonly handlers: Handlers;
  /** For `file` attachments without a lookup handler: the file itself. */
  readonly attr: Attr;
}

/** A reply the handler took over (blocking reads on pipes and terminals). */
export interface Deferred {
  readonly rcvid: number;
  readonly done: boolean;
  reply(data?: Uint8Array, status?: number): void;
  error(errno: Errno, message?: string): void;
  /** Called when the client gives up (signal, timeout) or goes away before the reply. */
  onCancel: (() => void) | null;
}

export interface IoContext {
  readonly thread: Thread;
  readonly rcvid: number;
  readonly info: MsgInfo;
  readonly cred: Credentials;
  readonly attach: Attachment;
  /** Takes over the reply: the framework will not reply when the handler returns. */
  defer(): Deferred;
}

/** The state of one open (shared by dup'ed descriptors through `refs`). */
export interface Ocb<T = unknown> {
  readonly attach: Attachment;
  readonly attr: Attr;
  /** Path below the attachment ("" is the attachment itself). */
  readonly path: string;
  ioflag: number;
  offset: number;
  refs: number;
  /** Whatever the manager keeps per open (a directory snapshot, a pipe end …). */
  data: T;
}

export interface OpenResult {
  attr: Attr;
  data?: unknown;
  /** The handler created the file: skip the permission check (POSIX: the creator may write it). */
  created?: boolean;
}

/** What a devctl handler answers: the status (ret) and the reply data. `headroom`: `data` was
 * made by devctlReplyData, so the framework writes the reply header in front of it (no copy). */
export interface DevctlAnswer {
  ret: number;
  data?: Uint8Array;
  headroom?: boolean;
}

export interface Handlers {
  /** Finds the node named by `rel` (for stat, chmod, chown, utime and the default open). */
  lookup?(ctx: IoContext, rel: string, req: ConnectRequest): Attr | Promise<Attr>;
  /** Opens `rel`; default: lookup. Handles O_CREAT / O_TRUNC / O_EXCL itself. */
  open?(ctx: IoContext, rel: string, req: ConnectRequest): OpenResult | Promise<OpenResult>;
  /** Returns up to `nbytes` from `offset`; `null` when it deferred the reply. */
  read?(
    ctx: IoContext,
    ocb: Ocb,
    nbytes: number,
    offset: number,
  ): Uint8Array | null | Promise<Uint8Array | null>;
  /** Writes `data` at `offset`; returns the count written, or `null` when it deferred the reply. */
  write?(ctx: IoContext, ocb: Ocb, data: Uint8Array, offset: number): number | null | Promise<number | null>;
  /** All entries of a directory (the framework packs them from the OCB's offset). */
  readdir?(ctx: IoContext, ocb: Ocb): DirentRecord[] | Promise<DirentRecord[]>;
  lseek?(ctx: IoContext, ocb: Ocb, offset: number, whence: number): number | Promise<number>;
  /** Refreshes `attr` before a stat reply (host files, /proc). */
  stat?(ctx: IoContext, attr: Attr): void | Promise<void>;
  devctl?(
    ctx: IoContext,
    ocb: Ocb,
    dcmd: number,
    data: Uint8Array,
    replyMax: number,
  ): DevctlAnswer | null | Promise<DevctlAnswer | null>;
  /** The last reference to the OCB went away. */
  close?(ctx: IoContext | null, ocb: Ocb): void | Promise<void>;
  /** What this open is, for `pidin fds` (_IO_FDINFO): a socket's protocol and addresses. */
  fdinfo?(ocb: Ocb): string;
  /** Which of `flags` (NOTIFY_INPUT …) are ready now. */
  notify?(ctx: IoContext, ocb: Ocb, flags: number): number;
  unlink?(ctx: IoContext, rel: string, req: ConnectRequest): void | Promise<void>;
  rmdir?(ctx: IoContext, rel: string, req: ConnectRequest): void | Promise<void>;
  mkdir?(ctx: IoContext, rel: string, mode: number, req: ConnectRequest): void | Promise<void>;
  /** Renames `from` (a path below the same attachment) to `rel`. */
  rename?(ctx: IoContext, rel: string, from: string, req: ConnectRequest): void | Promise<void>;
  readlink?(ctx: IoContext, rel: string, req: ConnectRequest): string | Promise<string>;
  symlink?(ctx: IoContext, rel: string, target: string, req: ConnectRequest): void | Promise<void>;
  /** Hard link: `rel` becomes another name of `existing` (below the same attachment). */
  link?(ctx: IoContext, rel: string, existing: string, req: ConnectRequest): void | Promise<void>;
  chmod?(ctx: IoContext, attr: Attr, mode: number): void | Promise<void>;
  chown?(ctx: IoContext, attr: Attr, uid: number, gid: number): void | Promise<void>;
  utime?(ctx: IoContext, attr: Attr, atime: number, mtime: number): void | Promise<void>;
}

/**
 * Thrown by a handler that met a symbolic link while resolving a path: the client resolves
 * `path` (absolute) instead, as QNX's _IO_CONNECT_RET_LINK.
 */
export class LinkRedirect {
  readonly path: string;
  constructor(path: string) {
    this.path = path;
  }
}

export type { DirentRecord };
