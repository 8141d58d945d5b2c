// Plain line input for a shell whose stdin is not a terminal (a pipe, a file, a serial line in
// canonical mode): no editing, just lines split out of whatever chunks arrive.
export class LineReader {
  private readonly readChunk: () => Promise<Uint8Array | null>;
  private readonly dec = new TextDecoder();
  private buffer = "";
  private eof = false;

  constructor(readChunk: () => Promise<Uint8Array | null>) {
    this.readChunk = readChunk;
  }

  /** The next line without its newline; null at end of input (a last unterminated line counts). */
  async readLine(): Promise<string | null> {
    for (;;) {
      const nl = this.buffer.indexOf("\n");
      if (nl >= 0) {
        const line = this.buffer.slice(0, nl).replace(/\r$/, "");
        this.buffer = this.buffer.slice(nl + 1);
        return line;
      }
      if (this.eof) {
        if (this.buffer === "") return null;
        const line = this.buffer;
        this.buffer = "";
        return line;
      }
      const chunk = await this.readChunk();
      if (chunk === null || chunk.byteLength === 0) {
        this.eof = true;
        this.buffer += this.dec.decode();
      } else this.buffer += this.dec.decode(chunk, { stream: true });
    }
  }
}
