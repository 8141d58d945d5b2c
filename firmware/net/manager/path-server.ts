// The paths io-pkt registers under its prefix, and what each answers:
//   /dev/socket           directory: config, 1, 2, 17 — devctl: the control protocol
//   <AF_LOCAL names>      S_IFSOCK entries of bound unix-domain sockets, until unlinked
//   /dev/io-pkt, /dev/io-net  one entry per interface — DCMD_UNMOUNT destroys it (umount)
//   /dev/mount/io-pkt<i>  DCMD_MOUNT loads a module (mount -T io-pkt<i> [-o opts] module)
//   /dev/bpf, /dev/bpf0   devctl: the control protocol (BPF requests)
import { KernelError } from "../../kernel/errno.ts";
import { newAttr, type Attr } from "../../resmgr/attr.ts";
import type { Handlers, IoContext } from "../../resmgr/handlers.ts";
import { NOTIFY_INPUT, NOTIFY_OUTPUT, S_IFCHR, S_IFDIR, S_IFSOCK } from "../../resmgr/io-constants.ts";
import { AF_INET, AF_LOCAL, AF_ROUTE } from "../socket/constants.ts";
import { SocketOpen } from "../socket/server.ts";
import type { ResourceManager } from "../../resmgr/resmgr.ts";
import {
  DCMD_MOUNT,
  DCMD_UNMOUNT,
  decodeMountRequest,
  decodeUnmountRequest,
} from "../../bin/lib/mount-request.ts";
import { ifDir, mountPath, socketDir } from "../control/paths.ts";
import { ControlSession, controlDevctl } from "./control-server.ts";
import type { IoPkt } from "./io-pkt-core.ts";
import { classOf } from "./module-loader.ts";

/** Entries of /dev/socket: address families as QNX numbers them, and the control file. */
const SOCKET_ENTRIES = ["1", "2", "17", "config"] as const;

/** Socket domains served under /dev/socket: AF_LOCAL, AF_INET, AF_ROUTE (routing sockets). */
const SOCKET_DOMAINS = new Map<string, number>([
  ["1", AF_LOCAL],
  ["2", AF_INET],
  ["17", AF_ROUTE],
]);

export function registerPaths(rm: ResourceManager, io: IoPkt): void {
  const closeSession = (ctx: IoContext | null, ocb: { data: unknown }): void => {
    if (ocb.data instanceof ControlSession) ocb.data.close();
    if (ocb.data instanceof SocketOpen) io.socketServer.close(ocb.data, ctx);
  };
  const sockets = io.socketServer;
  const now = (): number => io.kernel.clock.wallTime();
  const attrs = new Map<string, Attr>();
  const fileAttr = (key: string): Attr => {
    let a = attrs.get(key);
    if (a === undefined) {
      a = newAttr(rm.allocIno(), S_IFCHR | 0o666, 0, 0, now());
      attrs.set(key, a);
    }
    return a;
  };
  const control: Handlers["devctl"] = (ctx, ocb, dcmd, data) =>
    ocb.data instanceof SocketOpen
      ? sockets.devctl(ctx, ocb, ocb.data, dcmd, data)
      : controlDevctl(io, ctx, ocb, dcmd, data);
  const prefix = io.config.prefix;
  // AF_LOCAL names are entries of the path space (S_IFSOCK) until unlinked, as files on BSD.
  io.sockets.local.pathSpace = {
    publish(path, unlink) {
      const a = rm.attach(path, {
        type: "file",
        mode: S_IFSOCK | 0o777,
        handlers: {
          unlink: () => unlink(),
          open: () => {
            throw new KernelError("ENXIO", `${path} is a socket: connect to it`);
          },
        },
      });
      return () => rm.detach(a);
    },
  };

  const socketLookup = (ctx: IoContext, rel: string): Attr => {
    if (rel === "") return ctx.attach.attr;
    if ((SOCKET_ENTRIES as readonly string[]).includes(rel)) return fileAttr(`socket/${rel}`);
    throw new KernelError("ENOENT");
  };
  rm.attach(socketDir(prefix), {
    type: "dir",
    mode: S_IFDIR | 0o755,
    handlers: {
      lookup: socketLookup,
      // Every open of /dev/socket/<domain> is a new socket with its own attr (poll arms per socket).
      open: (ctx, rel) => {
        const domain = SOCKET_DOMAINS.get(rel);
        if (domain === undefined) return { attr: socketLookup(ctx, rel) };
        const attr = newAttr(rm.allocIno(), S_IFCHR | 0o666, ctx.cred.uid, ctx.cred.gid, now());
        const open = new SocketOpen(domain, (flags) => rm.notifyReady(attr, flags));
        return { attr, data: open, created: true };
      },
      read: (ctx, ocb, nbytes) => {
        if (!(ocb.data instanceof SocketOpen)) throw new KernelError("EBADF");
        return sockets.read(ctx, ocb.data, nbytes);
      },
      write: (ctx, ocb, data) => {
        if (!(ocb.data instanceof SocketOpen)) throw new KernelError("EBADF");
        return sockets.write(ctx, ocb.data, data);
      },
      fdinfo: (ocb) => (ocb.data instanceof SocketOpen ? sockets.describe(ocb.data) : ""),
      notify: (_ctx, ocb, flags) =>
        ocb.data instanceof SocketOpen
          ? sockets.notifyFlags(ocb.data, flags)
          : flags & (NOTIFY_INPUT | NOTIFY_OUTPUT),
      readdir: () =>
        SOCKET_ENTRIES.map((name, i) => ({
          ino: fileAttr(`socket/${name}`).ino,
          offset: i + 1,
          type: S_IFCHR,
          name,
        })),
      devctl: control,
      close: closeSession,
    },
  });

  const interfaces: Handlers = {
    lookup: (ctx, rel) => {
      if (rel === "") return ctx.attach.attr;
      if (io.binding(rel) === undefined) throw new KernelError("ENOENT");
      return fileAttr(`if/${rel}`);
    },
    readdir: () =>
      io.bindings().map((b, i) => ({
        ino: fileAttr(`if/${b.ifp.name}`).ino,
        offset: i + 1,
        type: S_IFCHR,
        name: b.ifp.name,
      })),
    devctl: async (ctx, ocb, dcmd, data) => {
      if (dcmd !== DCMD_UNMOUNT) return controlDevctl(io, ctx, ocb, dcmd, data);
      if (ctx.cred.uid !== 0) throw new KernelError("EPERM");
      const req = decodeUnmountRequest(data);
      if (req === undefined) throw new KernelError("EINVAL");
      const name = ocb.path === "" ? "" : ocb.path.split("/")[0];
      if (!name) throw new KernelError("EBUSY", "unmount an interface: umount /dev/io-pkt/en0");
      await io.destroyInterface(name);
      return { ret: 0 };
    },
    close: closeSession,
  };
  rm.attach(ifDir(prefix), { type: "dir", mode: S_IFDIR | 0o755, handlers: interfaces });
  rm.attach(`${prefix}/dev/io-net`, { type: "dir", mode: S_IFDIR | 0o755, handlers: interfaces });

  rm.attach(mountPath(prefix, io.config.instance), {
    type: "file",
    mode: S_IFCHR | 0o600,
    handlers: {
      devctl: async (ctx, _ocb, dcmd, data) => {
        if (dcmd !== DCMD_MOUNT) throw new KernelError("ENOTTY");
        if (ctx.cred.uid !== 0) throw new KernelError("EPERM");
        const req = decodeMountRequest(data);
        if (req === undefined || req.special === "")
          throw new KernelError("EINVAL", "mount -T io-pkt needs a module name");
        await io.loadModule(classOf(req.special), req.special, req.options);
        return { ret: 0 };
      },
    },
  });

  for (const path of ["/dev/bpf", "/dev/bpf0"]) {
    rm.attach(`${prefix}${path}`, {
      type: "file",
      mode: S_IFCHR | 0o600,
      handlers: { devctl: control, close: closeSession },
    });
  }
}
