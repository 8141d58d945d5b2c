// Backslash escapes as `echo -e` (and QNX's echo, which always interprets them) expands them.

/** Expands \a \b \c \e \f \n \r \t \v \\ \0nnn \xHH; `stop` is true when \c cut the output. */
export function expandEscapes(text: string): { text: string; stop: boolean } {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== "\\" || i + 1 >= text.length) {
      out += c;
      continue;
    }
    const n = text[++i];
    switch (n) {
      case "a":
        out += "\x07";
        break;
      case "b":
        out += "\b";
        break;
      case "c":
        return { text: out, stop: true };
      case "e":
        out += "\x1b";
        break;
      case "f":
        out += "\f";
        break;
      case "n":
        out += "\n";
        break;
      case "r":
        out += "\r";
        break;
      case "t":
        out += "\t";
        break;
      case "v":
        out += "\v";
        break;
      case "\\":
        out += "\\";
        break;
      case "0": {
        const m = /^[0-7]{0,3}/.exec(text.slice(i + 1))![0];
        out += String.fromCharCode(m ? Number.parseInt(m, 8) & 0xff : 0);
        i += m.length;
        break;
      }
      case "x": {
        const m = /^[0-9a-fA-F]{1,2}/.exec(text.slice(i + 1));
        if (!m) {
          out += "\\x";
          break;
        }
        out += String.fromCharCode(Number.parseInt(m[0], 16));
        i += m[0].length;
        break;
      }
      default:
        out += `\\${n}`;
    }
  }
  return { text: out, stop: false };
}
