import { describe, expect, it } from "vitest";
import { Shell } from "../../../firmware/shell/interp.ts";
import { makeOs, run } from "./helpers.ts";

describe("interpreter: commands and pipelines", () => {
  it("runs builtins and externals", async () => {
    const r = await run("echo hello world; args a 'b c' \"d  e\"");
    expect(r.out).toBe("hello world\n<a><b c><d  e>\n");
    expect(r.status).toBe(0);
  });

  it("pipes between processes and builtins", async () => {
    expect((await run("echo hello | upper")).out).toBe("HELLO\n");
    expect((await run("echo a b | cat | cat | upper")).out).toBe("A B\n");
    expect((await run("printf 'x\\ny\\nz\\n' | wcl")).out).toBe("3\n");
  });

  it("runs the last pipeline member in the current shell (ksh)", async () => {
    expect((await run("echo val | read v; echo $v")).out).toBe("val\n");
  });

  it("reports not found with 127", async () => {
    const r = await run("nosuch; echo $?");
    expect(r.err).toBe("ksh: nosuch: not found\n");
    expect(r.out).toBe("127\n");
  });

  it("handles && || ! and $?", async () => {
    const r = await run(
      "true && echo a; false && echo b; false || echo c; ! true; echo $?; status 7; echo $?",
    );
    expect(r.out).toBe("a\nc\n1\n7\n");
  });

  it("closes pipes so readers see end of file", async () => {
    const r = await run("{ echo one; echo two; } | wcl");
    expect(r.out).toBe("2\n");
  });
});

describe("interpreter: redirections", () => {
  it("writes, appends and reads files", async () => {
    const r = await run("echo first > /tmp/f; echo second >> /tmp/f; cat < /tmp/f; cat /tmp/f | upper");
    expect(r.out).toBe("first\nsecond\nFIRST\nSECOND\n");
    expect(r.os.files.get("/tmp/f")!.data).toBe("first\nsecond\n");
  });

  it("duplicates descriptors (2>&1) and redirects stderr", async () => {
    const r = await run("errout 2>&1 | upper; errout 2>/tmp/e; cat /tmp/e");
    expect(r.out).toBe("TO-STDERR\nTO-STDOUT\nto-stdout\nto-stderr\n");
    expect(r.err).toBe("");
  });

  it("reports a file that cannot be opened", async () => {
    const r = await run("cat < /nonexistent; echo $?");
    expect(r.err).toBe("ksh: /nonexistent: cannot open [No such file or directory]\n");
    expect(r.out).toBe("1\n");
  });

  it("feeds here-documents, expanding unless quoted", async () => {
    const r = await run("x=42\ncat <<EOF\nvalue $x\nEOF\ncat <<'EOF'\nvalue $x\nEOF\n");
    expect(r.out).toBe("value 42\nvalue $x\n");
  });

  it("redirects compound commands", async () => {
    const r = await run("for i in 1 2; do echo $i; done > /tmp/loop; cat /tmp/loop");
    expect(r.out).toBe("1\n2\n");
  });
});

describe("interpreter: variables and expansion", () => {
  it("expands the parameter forms", async () => {
    const r = await run('x=abc; echo ${x} ${#x} ${y:-def} ${y-unset} ${x:+alt} "${z:=set}" $z');
    expect(r.out).toBe("abc 3 def unset alt set set\n");
  });

  it("removes patterns", async () => {
    const r = await run("p=/usr/lib/libc.so.1; echo ${p##*/} ${p%.*} ${p#/} ${p%%.*}");
    expect(r.out).toBe("libc.so.1 /usr/lib/libc.so usr/lib/libc.so.1 /usr/lib/libc\n");
  });

  it("splits unquoted expansions but not quoted ones", async () => {
    const r = await run('v="a  b   c"; args $v; args "$v"; e=""; args $e "$e"');
    expect(r.out).toBe("<a><b><c>\n<a  b   c>\n<>\n");
  });

  it("expands positional parameters and $@ / $*", async () => {
    const r = await run('echo $# $1 $2; args "$@"; args "$*"; shift; echo $1', {
      args: ["one", "two words"],
    });
    expect(r.out).toBe("2 one two words\n<one><two words>\n<one two words>\ntwo words\n");
  });

  it("does command substitution and arithmetic", async () => {
    const r = await run("n=$(echo 5); echo $((n * 2 + 1)) `echo back` $(echo $(echo nested))");
    expect(r.out).toBe("11 back nested\n");
  });

  it("sets $? from a substitution-only assignment", async () => {
    expect((await run("x=$(false); echo $?; y=1; echo $?")).out).toBe("1\n0\n");
  });

  it("passes exported variables and per-command assignments to children", async () => {
    const r = await run("export A=1; B=2 printenv B; printenv A; C=3; printenv C");
    expect(r.out).toBe("2\n1\n\n");
  });

  it("expands $$ and $!", async () => {
    const r = await run("echo $$; sleep 10 & echo $!; kill %1; wait");
    expect(r.out).toBe("100\n200\n");
  });

  it("fails on set -u", async () => {
    const r = await run("set -u; echo $nope; echo after");
    expect(r.err).toContain("nope: parameter not set");
    expect(r.out).toBe("");
  });

  it("quotes and escapes", async () => {
    const r = await run(`echo 'a $x' "b \\$x \\"q\\"" c\\ d \\* '*'`);
    expect(r.out).toBe('a $x b $x "q" c d * *\n');
  });
});

describe("interpreter: globbing through the OS", () => {
  it("expands *, ? and [..], leaves unmatched patterns", async () => {
    const os = makeOs();
    for (const f of ["a.txt", "b.txt", "c.log", ".hidden"]) os.writeFileSync(`/tmp/${f}`, "");
    const r = await run(
      "cd /tmp; echo *.txt; echo ?.log; echo [ab].*; echo *.none; echo /tmp/*.log; echo '*'",
      { os },
    );
    expect(r.out).toBe("a.txt b.txt\nc.log\na.txt b.txt\n*.none\n/tmp/c.log\n*\n");
  });
});

describe("interpreter: control flow", () => {
  it("runs if/elif/else", async () => {
    const r = await run(
      "for n in 1 2 3; do if [ $n -eq 1 ]; then echo one; elif test $n = 2; then echo two; else echo many; fi; done",
    );
    expect(r.out).toBe("one\ntwo\nmany\n");
  });

  it("runs while and until with break/continue", async () => {
    const r = await run(
      "i=0; while [ $i -lt 10 ]; do i=$((i+1)); [ $i = 3 ] && continue; [ $i = 5 ] && break; echo $i; done; until true; do echo no; done",
    );
    expect(r.out).toBe("1\n2\n4\n");
  });

  it("matches case patterns", async () => {
    const r = await run(
      "for w in apple kiwi x.c other; do case $w in a*) echo A;; kiwi|lime) echo K;; *.[ch]) echo C;; *) echo other;; esac; done",
    );
    expect(r.out).toBe("A\nK\nC\nother\n");
  });

  it("defines and calls functions with return values", async () => {
    const r = await run('f() { echo "f:$1:$#"; return 3; }\nfunction g { echo g; }\nf a b; echo $?; g');
    expect(r.out).toBe("f:a:2\n3\ng\n");
  });

  it("keeps subshell changes local", async () => {
    const r = await run("x=1; (x=2; echo $x); echo $x; (exit 4); echo $?");
    expect(r.out).toBe("2\n1\n4\n");
  });

  it("stops on errors with set -e", async () => {
    const r = await run("set -e; false || echo ok; if false; then :; fi; false; echo unreachable");
    expect(r.out).toBe("ok\n");
    expect(r.status).toBe(1);
  });

  it("traces with set -x", async () => {
    const r = await run("set -x; echo hi");
    expect(r.err).toBe("+ echo hi\n");
  });

  it("exits with a status", async () => {
    expect((await run("exit 3; echo no")).status).toBe(3);
  });

  it("reports syntax errors with the line", async () => {
    const r = await run("echo ok\nfi\necho no");
    expect(r.out).toBe("ok\n");
    expect(r.err).toBe("ksh: syntax error: line 2: 'fi' unexpected\n");
    expect(r.status).toBe(2);
  });
});

describe("interpreter: builtins", () => {
  it("cd, pwd, cd - and errors", async () => {
    const r = await run("cd /tmp; pwd; cd /bin; cd -; cd /nope; echo $?");
    expect(r.out).toBe("/tmp\n/tmp\n1\n");
    expect(r.err).toBe("ksh: cd: /nope - No such file or directory\n");
  });

  it("alias, unalias and type", async () => {
    const r = await run("alias ll='args -l'\nll x\ntype ll cd cat if\nunalias ll\ntype ll");
    expect(r.out).toBe(
      "<-l><x>\nll is an alias for 'args -l'\ncd is a shell builtin\ncat is /bin/cat\nif is a reserved word\n",
    );
    expect(r.err).toBe("ksh: type: ll: not found\n");
  });

  it("read splits on IFS", async () => {
    const os = makeOs("alpha beta gamma\nsecond\n");
    const r = await run('read a b; echo "$a|$b"; read line; echo $line; read x; echo $?', { os });
    expect(r.out).toBe("alpha|beta gamma\nsecond\n1\n");
  });

  it("eval and . source", async () => {
    const os = makeOs();
    os.writeFileSync("/tmp/lib.sh", "LIBVAR=loaded\nlibfn() { echo in-lib $1; }\n");
    const r = await run("eval 'echo e1; echo e2'; . /tmp/lib.sh; echo $LIBVAR; libfn x", { os });
    expect(r.out).toBe("e1\ne2\nloaded\nin-lib x\n");
  });

  it("test forms", async () => {
    const r = await run(
      "[ -d /tmp ] && echo d; [ -f /tmp ] || echo nf; [ -z '' ] && echo z; [ abc != abd ] && echo ne; [ 3 -gt 2 -a 1 -le 1 ] && echo and; [ ! -e /x ] && echo bang",
    );
    expect(r.out).toBe("d\nnf\nz\nne\nand\nbang\n");
  });

  it("kill -l lists QNX signal numbers", async () => {
    const r = await run("kill -l | cat; kill -l 130");
    expect(r.out).toContain(" 2 INT\n");
    expect(r.out).toContain("24 TSTP\n");
    expect(r.out.endsWith("INT\n")).toBe(true);
  });

  it("printf formats", async () => {
    expect((await run("printf '%s=%03d %x %-4s|\\n' a 7 255 ab")).out).toBe("a=007 ff ab  |\n");
  });
});

describe("interpreter: jobs", () => {
  it("starts background jobs in their own group and waits for them", async () => {
    const r = await run("set -m; sleep 1 & jobs; kill %1; wait %1; echo $?");
    expect(r.os.execLog[0].pgid).toBe("new");
    expect(r.out).toBe("[1] + Running              sleep 1\n143\n");
    expect(r.os.killLog).toEqual([{ pid: -200, sig: "SIGTERM" }]);
  });
});

describe("subshell state (fork)", () => {
  it("carries every field of the shell, and its own copies do not leak back", () => {
    const sh = new Shell(makeOs(), { env: { A: "1" }, args: ["x"] });
    sh.substStatus = 3;
    sh.lastBgPid = 42;
    const sub = sh.fork();
    for (const key of Object.keys(sh) as (keyof Shell)[]) {
      expect(Object.hasOwn(sub, key), `fork() leaves out ${String(key)}`).toBe(true);
    }
    expect([sub.substStatus, sub.lastBgPid, sub.isSubshell]).toEqual([3, 42, true]);
    sub.vars.set("A", { value: "2", exported: true });
    sub.positional.push("y");
    expect(sh.vars.get("A")?.value).toBe("1");
    expect(sh.positional).toEqual(["x"]);
    expect(sub.shared).toBe(sh.shared);
  });
});
