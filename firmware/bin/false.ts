// false: exit with status 1.
import type { Program } from "../program.ts";

const program: Program = {
  name: "false",
  usage: "false - return an unsuccessful exit status\n\nusage: false\n",
  main: () => 1,
};
export default program;
