// gpio: read, write, configure and watch pins through the GPIO manager (/dev/gpio).
import type { Program, ProgramContext } from "../program.ts";
import { GPIO_PATH } from "../gpio/gpio-manager.ts";
import * as P from "../gpio/gpio-protocol.ts";
import type { GpioEdge } from "../gpio/gpio-backend.ts";
import { runUtility, warn } from "./lib/errors.ts";
import { getopt, optionMap, parseCount, UsageError } from "./lib/getopt.ts";

const USAGE = `gpio - read, write and watch GPIO pins

usage: gpio [list]
       gpio read pin
       gpio write pin 0|1
       gpio mode pin in|out
       gpio watch [-c count] [-p priority] pin [rising|falling|both]
Commands:
 list   every pin with its direction and level
 read   print the pin's level (0 or 1)
 write  drive an output pin
 mode   set the pin's direction
 watch  print each edge as "pin: level (edge)" until interrupted; the edge arrives as a
        pulse at priority (default 10, the interrupt-event style of QNX)
Options:
 -c count     stop after count edges
 -p priority  priority of the edge pulses (0-255)
`;

const EDGE_CODE = 1;

function pinPath(pin: string): string {
  if (!/^\d+$/.test(pin)) throw new UsageError(`invalid pin -- ${pin}`);
  return `${GPIO_PATH}/${Number(pin)}`;
}

async function list(ctx: ProgramContext): Promise<number> {
  const names = (await ctx.fs.readdir(GPIO_PATH))
    .filter((n) => /^\d+$/.test(n))
    .sort((a, b) => Number(a) - Number(b));
  const lines = ["pin  dir  level"];
  for (const n of names) {
    const cfg = P.decodeConfig(
      await ctx.fs.devctl(`${GPIO_PATH}/${n}`, P.DCMD_GPIO_GET_CONFIG, undefined, 2),
    );
    lines.push(`${n.padStart(3)}  ${cfg.direction.padEnd(3)}  ${cfg.level}`);
  }
  await ctx.stdout.write(lines.join("\n") + "\n");
  return 0;
}

async function watch(ctx: ProgramContext, args: string[]): Promise<number> {
  const parsed = getopt(args, "c:p:");
  const opts = optionMap(parsed);
  const [pin, edgeWord = "both"] = parsed.operands;
  if (pin === undefined || parsed.operands.length > 2) throw new UsageError("");
  if (edgeWord !== "rising" && edgeWord !== "falling" && edgeWord !== "both")
    throw new UsageError(`invalid edge -- ${edgeWord}`);
  const edge: GpioEdge = edgeWord;
  const count = opts.has("c") ? parseCount(opts.get("c")!, "count") : Infinity;
  const prio = opts.has("p") ? parseCount(opts.get("p")!, "priority") : 10;
  if (prio > 255) throw new UsageError(`illegal priority -- ${prio}`);
  const t = ctx.thread;
  const fh = await ctx.fs.open(pinPath(pin), "r");
  const chid = t.ChannelCreate();
  const coid = t.ConnectAttach(0, ctx.process.pid, chid);
  try {
    await fh.devctl(
      P.DCMD_GPIO_ATTACH_EVENT,
      P.encodeAttachEvent({ edge, coid, priority: prio, code: EDGE_CODE }),
    );
    let seen = 0;
    while (seen < count && !ctx.signal.aborted) {
      const r = await t.MsgReceive(chid);
      if (r.pulse?.code !== EDGE_CODE) continue;
      const { pin: p, level } = P.decodeEdgePulseValue(r.pulse.value);
      await ctx.stdout.write(`${p}: ${level} (${level ? "rising" : "falling"})\n`);
      seen++;
    }
  } finally {
    await fh.close();
    t.ConnectDetach(coid);
    t.ChannelDestroy(chid);
  }
  return 0;
}

const program: Program = {
  name: "gpio",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "gpio", USAGE, async () => {
      const [cmd = "list", ...rest] = ctx.argv.slice(1);
      try {
        switch (cmd) {
          case "list":
            if (rest.length) throw new UsageError("");
            return await list(ctx);
          case "read": {
            if (rest.length !== 1) throw new UsageError("");
            const v = P.decodeByte(await ctx.fs.devctl(pinPath(rest[0]), P.DCMD_GPIO_GET, undefined, 1));
            await ctx.stdout.write(`${v}\n`);
            return 0;
          }
          case "write": {
            if (rest.length !== 2 || (rest[1] !== "0" && rest[1] !== "1")) throw new UsageError("");
            await ctx.fs.devctl(pinPath(rest[0]), P.DCMD_GPIO_SET, P.encodeByte(Number(rest[1])), 0);
            return 0;
          }
          case "mode": {
            if (rest.length !== 2 || (rest[1] !== "in" && rest[1] !== "out")) throw new UsageError("");
            await ctx.fs.devctl(pinPath(rest[0]), P.DCMD_GPIO_SET_DIRECTION, P.encodeDirection(rest[1]), 0);
            return 0;
          }
          case "watch":
            return await watch(ctx, rest);
          default:
            throw new UsageError(`unknown command -- ${cmd}`);
        }
      } catch (e) {
        if (e instanceof UsageError) throw e;
        await warn(ctx.stderr, "gpio", rest[0] ?? cmd, e);
        return 1;
      }
    });
  },
};
export default program;
