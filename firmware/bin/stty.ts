// stty: show or change the terminal settings of standard input (devctl on its manager).
import type { Program } from "../program.ts";
import { runUtility, warn } from "./lib/errors.ts";
import { formatStty, parseSttyArgs } from "./lib/stty-settings.ts";

const USAGE = `stty - set the options for a terminal

usage: stty [-a | -g | size]
       stty setting ...
Options:
 -a  print all settings
 -g  print the settings as key=value words that stty accepts back
 size print the window size: rows columns
Settings: raw -raw cooked sane [-]echo [-]icanon [-]isig [-]icrnl [-]onlcr [-]ixon
  [-]crtscts [-]cstopb [-]parenb [-]parodd cs5..cs8, a baud rate (115200) or speed N,
  intr|quit|erase|kill|eof|susp CHAR (^C, ^?, undef), and QNX's baud=N bits=N par=none|even|odd stopb=1|2.
The terminal is standard input: stty -a < /dev/ser1.
`;

const program: Program = {
  name: "stty",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "stty", USAGE, async () => {
      const tty = ctx.stdin.tty;
      if (!tty) {
        await warn(ctx.stderr, "stty", null, "stdin isn't a terminal");
        return 1;
      }
      const args = ctx.argv.slice(1);
      if (args.length === 0 || (args.length === 1 && (args[0] === "-a" || args[0] === "-g"))) {
        const t = await tty.getAttr();
        if (args[0] === "-g") {
          const par = t.parity;
          await ctx.stdout.write(
            `baud=${t.baud} bits=${t.csize} par=${par} stopb=${t.cstopb ? 2 : 1} ${t.echo ? "" : "-"}echo ` +
              `${t.icanon ? "" : "-"}icanon ${t.isig ? "" : "-"}isig ${t.icrnl ? "" : "-"}icrnl ` +
              `${t.onlcr ? "" : "-"}onlcr ${t.ixon ? "" : "-"}ixon ${t.crtscts ? "" : "-"}crtscts\n`,
          );
          return 0;
        }
        const size = await tty.getSize().catch(() => null);
        await ctx.stdout.write(formatStty(t, size, args[0] === "-a"));
        return 0;
      }
      if (args.length === 1 && args[0] === "size") {
        // BSD and Linux: the window's rows and columns (what NAWS or a resize last set).
        const size = await tty.getSize();
        await ctx.stdout.write(`${size.rows} ${size.cols}\n`);
        return 0;
      }
      const change = parseSttyArgs(args);
      try {
        await tty.setAttr(change);
      } catch (e) {
        await warn(ctx.stderr, "stty", null, e);
        return 1;
      }
      return 0;
    });
  },
};
export default program;
