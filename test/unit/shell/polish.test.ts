// The features closed by the shell polish: shared line input, $(…) parsed as commands,
// arithmetic bases and `**`, (( )), [[ ]], exec redirections, typeset/local, getopts, printf,
// traps, special parameters and tilde forms.
import { describe, expect, it } from "vitest";
import { settle } from "../../helpers/wait.ts";
import { runKsh } from "../../../firmware/shell/ksh.ts";
import { makeOs, run } from "./helpers.ts";

type Row = [script: string, out: string];

async function table(rows: Row[]): Promise<void> {
  for (const [script, want] of rows) {
    const r = await run(script, { env: { HOME: "/home" } });
    expect({ script, out: r.out, err: r.err }).toEqual({ script, out: want, err: "" });
  }
}

describe("line input shared by the script reader and read", () => {
  it("lets read take the lines after it from a piped-in script", async () => {
    const os = makeOs('read a b\nfirst data\necho "$a|$b"\n');
    const status = await runKsh(os, { argv: ["ksh"], env: { PATH: "/bin" }, cwd: "/" });
    expect(os.stdout).toBe("first|data\n");
    expect(status).toBe(0);
  });

  it("reads pipes a byte at a time, so a command run by the script gets the rest of stdin", async () => {
    const os = makeOs("cat\nline two\nline three\n");
    await runKsh(os, { argv: ["ksh"], env: { PATH: "/bin" }, cwd: "/" });
    expect(os.stdout).toBe("line two\nline three\n");
    expect(os.readSizes.filter((r) => r.kind === "source").every((r) => r.max === 1)).toBe(true);
  });

  it("reads regular files in chunks and keeps every line", async () => {
    const os = makeOs();
    const lines = Array.from({ length: 3000 }, (_, i) => `line ${i} ${"x".repeat(i % 7)}`);
    os.writeFileSync("/tmp/big", lines.join("\n") + "\nlast-unterminated");
    const r = await run(
      "n=0; while read -r l; do n=$((n+1)); last=$l; done < /tmp/big; echo $n $last; echo $l",
      { os },
    );
    // The unterminated last line is read (status 1), so the loop body does not see it.
    expect(r.out).toBe("3000 line 2999 xxx\nlast-unterminated\n");
    const fileReads = os.readSizes.filter((x) => x.kind === "file");
    expect(fileReads.length).toBeLessThan(3001 / 10);
    expect(fileReads.every((x) => x.max > 1)).toBe(true);
  });

  it("a redirected group shares one open file: `{ read a; cat; } < file` (read-ahead given back)", async () => {
    const os = makeOs();
    os.writeFileSync("/tmp/g", "first\nsecond\nthird\n");
    const r = await run('{ read a; cat; read b; echo "a=$a b=$b"; } < /tmp/g', { os });
    expect(r.out).toBe("second\nthird\na=first b=\n");
    const os2 = makeOs();
    os2.writeFileSync("/tmp/g", "1\n2\n3\n4\n");
    const r2 = await run('{ read a; read b; cat; } < /tmp/g; echo "$a$b"', { os: os2 });
    expect(r2.out).toBe("3\n4\n12\n");
  });

  it("joins backslash-newline continuations unless -r", async () => {
    const os = makeOs();
    os.writeFileSync("/tmp/c", "a \\\nb\nc\\\nd\n");
    const r = await run('{ read x; read -r y; } < /tmp/c; echo "$x|$y"', { os });
    expect(r.out).toBe("a b|c\\\n");
  });

  it("reads from another descriptor with -u", async () => {
    await table([["echo u1 > /tmp/u; exec 4</tmp/u; read -u4 v; echo $v; read -u 4 w; echo $?", "u1\n1\n"]]);
  });
});

describe("$(…) is parsed as commands", () => {
  it("allows case patterns, quoted and nested parentheses inside", async () => {
    await table([
      ["x=$(case a in a) echo A;; b) echo B;; esac); echo $x", "A\n"],
      ['echo "$(case b in (a) echo A;; b) echo "B)";; esac)"', "B)\n"],
      ["echo $(echo ')' ) $(echo '(')", ") (\n"],
      ["echo $( (echo sub) ) $(echo $(echo nested))", "sub nested\n"],
      ['echo "$(cat <<EOF\nhi )\nEOF\n)"', "hi )\n"],
      ["echo $(( (1 + 2) * 3 ))", "9\n"],
    ]);
  });

  it("reports an unfinished substitution as incomplete input", async () => {
    const r = await run("echo $(case a in a) echo");
    expect(r.status).toBe(2);
    expect(r.err).toBe("ksh: syntax error: line 1: unexpected end of file\n");
  });
});

describe("arithmetic", () => {
  it("supports base#number, **, comparisons, logic, ternary and assignment operators", async () => {
    await table([
      [
        "echo $((16#ff)) $((2#1010)) $((8#17)) $((36#z)) $((64#_)) $((0x10)) $((010))",
        "255 10 15 35 63 16 8\n",
      ],
      ["echo $((2**10)) $((2**3**2)) $((x=3, x**=2, x)) $((-2**2))", "1024 512 9 4\n"],
      ["echo $((1<2)) $((3>=4)) $((1&&0)) $((0||5)) $((1?7:8)) $((!0))", "1 0 0 1 7 1\n"],
      ["y=1; echo $((y+=5)) $((y++)) $y $((--y)) $((y<<=2)) $((y%=5))", "6 6 7 6 24 4\n"],
    ]);
  });

  it("rejects digits outside the base", async () => {
    const r = await run("echo $((2#3))");
    expect(r.err).toBe("ksh: 2#3: arithmetic syntax error\n");
  });

  it("runs (( )) and let as commands with status 0 for non-zero", async () => {
    await table([
      ["x=5; (( x > 3 )) && echo big; (( x++ )); echo $x; (( 0 )); echo $?", "big\n6\n1\n"],
      ["((y = 2 ** 4)); echo $y; let 'z = y / 2' w=1; echo $z $w; let 0; echo $?", "16\n8 1\n1\n"],
      ["if ((1)); then echo yes; fi; while (( i < 3 )); do (( i++ )); done; echo $i", "yes\n3\n"],
    ]);
  });
});

describe("[[ … ]]", () => {
  it("tests strings, patterns, files, numbers and combines them", async () => {
    await table([
      [
        '[[ abc == a* ]] && echo m1; [[ abc == "a*" ]] || echo m2; [[ abc != b* ]] && echo m3',
        "m1\nm2\nm3\n",
      ],
      ["[[ -d /tmp && ! -f /tmp ]] && echo dir; [[ -e /nope || -e /bin ]] && echo or", "dir\nor\n"],
      [
        "x=''; [[ -z $x ]] && echo empty; [[ -n 'a b' ]] && echo full; [[ $x ]] || echo unset",
        "empty\nfull\nunset\n",
      ],
      ["[[ a < b ]] && echo lt; [[ b > a ]] && echo gt; [[ 3 -lt 10 ]] && echo num", "lt\ngt\nnum\n"],
      [
        "v='a b'; [[ $v == 'a b' ]] && echo nosplit; [[ ( a == b || c == c ) && x != y ]] && echo grp",
        "nosplit\ngrp\n",
      ],
      ["f='*'; [[ $f == '*' ]] && echo star; [[ x+1 -eq 3 ]] || echo arith", "star\narith\n"],
    ]);
  });
});

describe("exec without a command redirects the shell", () => {
  it("keeps output, input and duplicated descriptors", async () => {
    const r = await run("exec >/tmp/o; echo one; exec >&2; echo err; cat /tmp/o");
    expect(r.out).toBe("");
    expect(r.err).toBe("err\none\n");
    await table([
      ["echo l1 > /tmp/i; echo l2 >> /tmp/i; exec 3</tmp/i; read -u3 a; read -u3 b; echo $a $b", "l1 l2\n"],
      ["exec 2>&1; nosuch", "ksh: nosuch: not found\n"],
      ["( exec >/tmp/x; echo in ); echo out; cat /tmp/x", "out\nin\n"],
    ]);
  });

  it("closes a descriptor with n<&-", async () => {
    const r = await run("echo a > /tmp/i; exec 3</tmp/i; exec 3<&-; read -u3 c; echo $?");
    expect(r.out).toBe("1\n");
    expect(r.err).toBe("ksh: read: 3: bad file descriptor\n");
  });
});

describe("typeset, local, getopts", () => {
  it("scopes typeset/local variables to the function", async () => {
    await table([
      ["x=g; f() { typeset x=l; local y=2; echo $x $y; }; f; echo $x ${y-unset}", "l 2\ng unset\n"],
      ["x=g; f() { local x; echo ${x-none}; x=in; g; }; g() { echo $x; }; f; echo $x", "none\nin\ng\n"],
      ["f() { typeset -i n='2+3'; typeset -u u=abc; typeset -l l=ABC; echo $n $u $l; }; f", "5 ABC abc\n"],
      ["typeset -x E=1; printenv E", "1\n"],
    ]);
    const r = await run("local x=1");
    expect(r.err).toBe("ksh: local: can only be used in a function\n");
  });

  it("parses options with OPTIND and OPTARG", async () => {
    await table([
      [
        'while getopts ab:c opt -a -b val -ca -bX -- rest; do echo "$opt ${OPTARG-}"; done; echo $OPTIND',
        "a \nb val\nc \na \nb X\n7\n",
      ],
      [
        'set -- -b; getopts :b: o; echo "$o $OPTARG"; OPTIND=1; set -- -z; getopts :b o; echo "$o $OPTARG"',
        ": b\n? z\n",
      ],
      ["set -- file; getopts a o; echo $? $o $OPTIND", "1 ? 1\n"],
    ]);
    const r = await run("set -- -x; getopts ab o; echo $o");
    expect(r.out).toBe("?\n");
    expect(r.err).toBe("ksh: -x: unknown option\n");
  });
});

describe("printf", () => {
  it("formats like C printf", async () => {
    await table([
      [
        "printf '%x %o %X %5.3d|%-4s|%*d|%-*d|\\n' 255 8 -1 7 ab 3 5 3 5",
        "ff 10 FFFFFFFFFFFFFFFF   007|ab  |  5|5  |\n",
      ],
      [
        "printf '%g %g %g %g %G %e %E %.2f %F\\n' 0.0001 0.00001 123456 1234567 1e-10 12345.678 1.5 3.14159 2",
        "0.0001 1e-05 123456 1.23457e+06 1E-10 1.234568e+04 1.500000E+00 3.14 2.000000\n",
      ],
      ["printf '%b|%q|\\x41\\u00e9\\n' 'a\\tb' \"it's\"", "a\tb|'it'\\''s'|A\u00e9\n"],
      ["printf '%b' 'one\\ctwo'; printf '[%s]' a b; printf '%c%c\\n' xyz", "one[a][b]x\n"],
    ]);
  });
});

describe("options, traps, special parameters, tilde", () => {
  it("lists options with set -o and set +o", async () => {
    const r = await run("set -e; set -o; set +o");
    expect(r.out).toContain("errexit         on\nxtrace          off\n");
    expect(r.out).toContain("set -o errexit\nset +o xtrace\n");
  });

  it("installs signal traps and runs EXIT at the end", async () => {
    const r = await run("trap 'echo caught' TERM; trap '' INT; trap");
    expect(r.out).toBe("trap -- 'echo caught' TERM\ntrap -- '' INT\n");
    const term = r.os.signalHandlers.get("SIGTERM");
    expect(typeof term).toBe("function");
    expect(r.os.signalHandlers.get("SIGINT")).toBe("ignore");
    (term as () => void)();
    await settle(() => r.os.stdout.endsWith("caught\n"), "the TERM trap to run");
    expect(r.os.stdout).toBe("trap -- 'echo caught' TERM\ntrap -- '' INT\ncaught\n");
    const bad = await run("trap 'x' NOSUCH; echo $?");
    expect(bad.err).toBe("ksh: trap: NOSUCH: bad trap\n");
  });

  it("runs the ERR trap where errexit would fire, with $? the failing status", async () => {
    await table([
      ["trap 'echo err $?' ERR; false; echo next; (exit 3); true", "err 1\nnext\nerr 3\n"],
      // Not in conditions, && / || left sides, or after !.
      [
        "trap 'echo err' ERR; if false; then :; fi; false || true; ! true; while false; do :; done; echo ok",
        "ok\n",
      ],
      // Inside functions too; then set -e exits after the trap.
      ["trap 'echo err $?' ERR; f() { return 4; }; f; set -e; false; echo never", "err 4\nerr 1\n"],
      // A failure inside the trap does not run it again; trap - ERR removes it.
      ["trap 'false; echo in' ERR; false; trap - ERR; false; echo done", "in\ndone\n"],
    ]);
  });

  it("functions see their callers' locals (dynamic scope, as QNX's ksh), both definition forms", async () => {
    await table([
      [
        "x=global; function show { echo $x; }; function f { typeset x=f-local; show; }; f; show",
        "f-local\nglobal\n",
      ],
      ["x=g; show() { echo $x; }; g() { typeset x=g-local; show; }; g; show", "g-local\ng\n"],
      [
        "function inner { x=set-by-inner; }; function outer { typeset x=o; inner; echo $x; }; outer; echo ${x-unset}",
        "set-by-inner\nunset\n",
      ],
    ]);
  });

  it("runs the INT trap of an interactive shell on SIGINT", async () => {
    const os = makeOs("trap 'echo trapped' INT\n:\n");
    await runKsh(os, { argv: ["ksh", "-i"], env: { PATH: "/bin" }, cwd: "/" });
    const h = os.signalHandlers.get("SIGINT");
    expect(typeof h).toBe("function");
    (h as () => void)();
    await settle(() => os.stdout !== "", "the INT trap to run");
    expect(os.stdout).toBe("trapped\n");
    expect(os.signalHandlers.get("SIGTERM")).toBe("ignore");
  });

  it("has $PPID, $SECONDS from the clock, $RANDOM and tilde forms", async () => {
    const os = makeOs();
    os.clockMs = 5000;
    const r = await run(
      "echo $PPID $SECONDS; SECONDS=10; echo $SECONDS; [[ $RANDOM -ge 0 && $RANDOM -lt 32768 ]] && echo rnd",
      { os },
    );
    expect(r.out).toBe("1 0\n10\nrnd\n");
    os.clockMs = 8000;
    expect(r.sh.getVar("SECONDS")).toBe("13");
    await table([
      [
        "x=~/bin; echo $x ~ ~/a ~+ '~' y=~; cd /tmp; cd /; echo ~-; p=~:/x; echo $p",
        "/home/bin /home /home/a / ~ y=~\n/tmp\n/home:/x\n",
      ],
    ]);
  });
});
