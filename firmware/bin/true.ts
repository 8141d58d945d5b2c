// true: exit successfully.
import type { Program } from "../program.ts";

const program: Program = {
  name: "true",
  usage: "true - return a successful exit status\n\nusage: true\n",
  main: () => 0,
};
export default program;
