// The far node of the vwire bench, in a process of its own as a second `npm start` node is:
// a runtime with io-pkt on the UDP virtual wire (its stack answers ICMP echo), and a bare
// Node UDP echo socket on loopback for the baseline. Argument: the wire's hub port and the
// node's address (CIDR). Prints one JSON line {"udpPort":N} once both answer; ends when its
// stdin closes.
import { createSocket } from "node:dgram";
import { Runtime } from "../../unit/netutil/runtime.ts";

const [hubPort, cidr] = process.argv.slice(2);
const rt = await Runtime.boot("vwire2");
await rt.startIoPkt(["-d", "vwire", `udp=127.0.0.1:${hubPort}`]);
await rt.ok(["ifconfig", "en0", cidr!]);

const echo = createSocket("udp4");
echo.on("message", (msg, from) => echo.send(msg, from.port, from.address));
await new Promise<void>((resolve) => echo.bind(0, "127.0.0.1", resolve));

process.stdin.on("end", () => {
  echo.close();
  void rt.shutdown().then(() => process.exit(0));
});
process.stdin.resume();
process.stdout.write(JSON.stringify({ udpPort: echo.address().port }) + "\n");
