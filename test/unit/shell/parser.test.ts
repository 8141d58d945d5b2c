import { describe, expect, it } from "vitest";
import type { Command, List, Word } from "../../../firmware/shell/ast.ts";
import { IncompleteInput, ShellSyntaxError } from "../../../firmware/shell/errors.ts";
import { isIncomplete, parse } from "../../../firmware/shell/parser.ts";

/** A compact rendering of the tree, so table rows stay readable. */
function show(node: Command | List): string {
  switch (node.t) {
    case "list":
      return node.items.map((i) => show(i.cmd) + (i.async ? " &" : "")).join("; ");
    case "simple": {
      const a = node.assigns.map((x) => `${x.name}=${word(x.value)}`);
      const w = node.words.map(word);
      const r = node.redirs.map(
        (x) => `${x.fd ?? ""}${x.op}${x.heredoc ? `[${word(x.heredoc.body)}]` : word(x.target)}`,
      );
      return [...a, ...w, ...r].join(" ");
    }
    case "pipeline":
      return (node.bang ? "! " : "") + node.cmds.map(show).join(" | ");
    case "andor":
      return [show(node.first), ...node.rest.map((r) => `${r.op} ${show(r.cmd)}`)].join(" ");
    case "subshell":
      return `(${show(node.body)})`;
    case "group":
      return `{${show(node.body)}}`;
    case "if":
      return `if[${node.clauses.map((c) => `${show(c.cond)}?${show(c.body)}`).join("|")}${node.otherwise ? `:${show(node.otherwise)}` : ""}]`;
    case "loop":
      return `${node.until ? "until" : "while"}[${show(node.cond)}?${show(node.body)}]`;
    case "for":
      return `for[${node.name}${node.words ? " in " + node.words.map(word).join(",") : ""}?${show(node.body)}]`;
    case "case":
      return `case[${word(node.word)}:${node.items.map((i) => `${i.patterns.map(word).join("|")}=>${show(i.body)}`).join(",")}]`;
    case "func":
      return `fn ${node.name}${show(node.body)}`;
    case "arith":
      return `((${word(node.expr)}))`;
    case "cond":
      return `[[${node.tokens.map((t) => ("op" in t ? t.op : word(t.word))).join(" ")}]]`;
  }
}

function word(w: Word): string {
  return w.parts
    .map((p) => {
      switch (p.k) {
        case "lit":
          return p.quoted ? `'${p.text}'` : p.text;
        case "tilde":
          return `~${p.user}`;
        case "param":
          return `$${p.length ? "#" : ""}{${p.name}${p.op ?? ""}${p.arg ? word(p.arg) : ""}}${p.quoted ? "q" : ""}`;
        case "cmd":
          return `$(${p.src})`;
        case "arith":
          return `$((${word(p.expr)}))`;
      }
    })
    .join("");
}

const TABLE: [string, string][] = [
  ["echo hi", "echo hi"],
  ["(( x += 2 )) && y", "((' x += 2 ')) && y"],
  ["( (a) )", "((a))"],
  ["[[ -f $f && $x == a* ]] > o", "[[-f ${f} && ${x} == a*]]"],
  ["echo $(case x in a) b;; esac)", "echo $(case x in a) b;; esac)"],
  ["a | b | c", "a | b | c"],
  ["! a | b", "! a | b"],
  ["a && b || c", "a && b || c"],
  ["a; b & c", "a; b &; c"],
  ["a &\nb", "a &; b"],
  ["cat < in > out 2>&1 >> log 3<>rw", "cat <in >out 2>&1 >>log 3<>rw"],
  ["x=1 y=$z cmd", "x=1 y=${z} cmd"],
  ["echo 'a b' \"c $d\" e\\ f", "echo 'a b' 'c '${d}q e' 'f"],
  ["echo ${x:-def} ${#y} ${p##*/}", "echo ${x:-def} $#{y} ${p##*/}"],
  ["echo $? $$ $! $# $@ $* $1 ${10}", "echo ${?} ${$} ${!} ${#} ${@} ${*} ${1} ${10}"],
  ["echo $(ls /) `pwd` $((1 + 2))", "echo $(ls /) $(pwd) $(('1 + 2'))"],
  ["echo ~ ~/x ~root", "echo ~ ~/x ~root"],
  ["(a; b) > f", "(a; b)"],
  ["{ a; b; }", "{a; b}"],
  ["if a; then b; elif c; then d; else e; fi", "if[a?b|c?d:e]"],
  ["if a\nthen\n  b\nfi", "if[a?b]"],
  ["while a; do b; done", "while[a?b]"],
  ["until a; do b; done", "until[a?b]"],
  ["for i in 1 2 3; do echo $i; done", "for[i in 1,2,3?echo ${i}]"],
  ["for i; do echo; done", "for[i?echo]"],
  ["case $x in a|b) one;; (c) two;; *) ;; esac", "case[${x}:a|b=>one,c=>two,*=>]"],
  ["f() { echo f; }", "fn f{echo f}"],
  ["function g { echo g; }", "fn g{echo g}"],
  ["cat <<EOF\nhi $x\nEOF\n", "cat <<['hi '${x}q'\n']"],
  ["cat <<'EOF'\nhi $x\nEOF\n", "cat <<['hi $x\n']"],
  ["cat <<-EOF\n\tindented\n\tEOF\n", "cat <<-['indented\n']"],
  ["echo a # comment", "echo a"],
  ["echo a\\\nb", "echo ab"],
  ["echo }", "echo }"],
  ["echo if then", "echo if then"],
];

describe("parser: every construct", () => {
  for (const [src, expected] of TABLE) {
    it(JSON.stringify(src), () => {
      expect(show(parse(src))).toBe(expected);
    });
  }

  it("treats deeply nested $( as a syntax error, not a stack overflow", () => {
    expect(() => parse("echo " + "$(".repeat(200))).toThrow(ShellSyntaxError);
    expect(isIncomplete("echo $(case a in a) echo")).toBe(true);
    expect(isIncomplete("[[ a == b")).toBe(true);
  });

  it("keeps the source text of list items for job listings", () => {
    expect(parse("sleep 10 | cat &").items[0].text).toBe("sleep 10 | cat");
  });
});

const INCOMPLETE = [
  "echo 'abc",
  'echo "abc',
  "if true; then",
  "if true; then echo; else",
  "while true",
  "for i in a b; do",
  "case x in",
  "echo a |",
  "a &&",
  "f() {",
  "( echo",
  "echo $(ls",
  "echo ${x",
  "echo `ls",
  "cat <<EOF\nabc",
  "echo a\\",
];

const ERRORS: [string, string][] = [
  ["fi", "syntax error: line 1: 'fi' unexpected"],
  ["echo a; ; b", "syntax error: line 1: ';' unexpected"],
  ["| a", "syntax error: line 1: '|' unexpected"],
  ["if then fi", "syntax error: line 1: 'then' unexpected"],
  ["echo ok\n\ndone", "syntax error: line 3: 'done' unexpected"],
  ["a && && b", "syntax error: line 1: '&&' unexpected"],
  ["echo ${x!y}", "syntax error: line 1: bad substitution"],
  ["case x in a) b;; c d) e;; esac", "syntax error: line 1: 'd' unexpected"],
  ["(a))", "syntax error: line 1: ')' unexpected"],
];

describe("parser: incomplete input and errors", () => {
  for (const src of INCOMPLETE) {
    it(`incomplete: ${JSON.stringify(src)}`, () => {
      expect(isIncomplete(src)).toBe(true);
      expect(() => parse(src)).toThrow(IncompleteInput);
    });
  }

  for (const [src, msg] of ERRORS) {
    it(`error: ${JSON.stringify(src)}`, () => {
      let caught: unknown;
      try {
        parse(src);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(ShellSyntaxError);
      expect(caught).not.toBeInstanceOf(IncompleteInput);
      expect((caught as Error).message).toBe(msg);
    });
  }

  it("complete input is not incomplete", () => {
    expect(isIncomplete("echo 'a\nb'")).toBe(false);
    expect(isIncomplete("if a; then b; fi")).toBe(false);
  });
});
