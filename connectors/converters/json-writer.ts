// Writes JSON text straight into bytes: one record's message is written at the end of a shared
// slab and handed out as a view of it (no string building, no copy per record). A slab is never
// written twice: when one is full the next record starts a new slab, and the old one lives as
// long as views of it do (the way Node pools small Buffers).

const SLAB_SIZE = 256 * 1024
const QUOTE = 34
const BACKSLASH = 92

export class JsonWriter {
  private buf = Buffer.allocUnsafe(SLAB_SIZE)
  private pos = 0
  private start = 0

  /** Starts a message. */
  begin(): void {
    this.start = this.pos
  }

  /** The message written since begin(), as a view of the slab. */
  finish(): Buffer {
    return this.buf.subarray(this.start, this.pos)
  }

  /** Room for n more bytes; a full slab is left behind and the message so far moves to a new one. */
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    const used = this.pos - this.start
    const next = Buffer.allocUnsafe(Math.max(SLAB_SIZE, (used + n) * 2))
    this.buf.copy(next, 0, this.start, this.pos)
    this.buf = next
    this.start = 0
    this.pos = used
  }

  /** Bytes as they are (cached JSON fragments). */
  bytes(b: Buffer): void {
    const n = b.length
    this.ensure(n)
    if (n < 48) {
      const buf = this.buf
      let p = this.pos
      for (let i = 0; i < n; i++) buf[p++] = b[i]!
      this.pos = p
    } else {
      b.copy(this.buf, this.pos)
      this.pos += n
    }
  }

  /** Text known to be ASCII and valid JSON where it goes (numbers, literals, pre-quoted names). */
  ascii(s: string): void {
    const n = s.length
    this.ensure(n)
    const buf = this.buf
    let p = this.pos
    if (n < 32) {
      for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i)
    } else p += buf.write(s, p, 'latin1')
    this.pos = p
  }

  byte(c: number): void {
    this.ensure(1)
    this.buf[this.pos++] = c
  }

  /** A JSON string: printable ASCII is copied as it is, anything else goes through JSON.stringify. */
  string(s: string): void {
    const n = s.length
    this.ensure(n + 2)
    const buf = this.buf
    let p = this.pos
    buf[p++] = QUOTE
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) return this.escaped(s)
      buf[p++] = c
    }
    buf[p++] = QUOTE
    this.pos = p
  }

  private escaped(s: string): void {
    const json = JSON.stringify(s)
    this.ensure(json.length * 3)
    this.pos += this.buf.write(json, this.pos, 'utf8')
  }

  /** A finite number as JSON writes it. */
  number(n: number): void {
    this.ascii(String(n))
  }
}
