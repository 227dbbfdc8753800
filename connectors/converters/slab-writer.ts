// The byte writer both the JSON and the Avro converters write messages into: one slab reused
// message after message (a message is a view of it), moved to a new slab only when full, so
// converting a record allocates nothing of its own.

const SLAB_SIZE = 256 * 1024

export class SlabWriter {
  /** The slab and the write position: writers store bytes straight into them after reserve(). */
  buf = Buffer.allocUnsafe(SLAB_SIZE)
  pos = 0
  private start = 0

  /** Starts a message. */
  begin(): void {
    this.start = this.pos
  }

  /** The message written since begin(), as a view of the slab. */
  finish(): Buffer {
    return this.buf.subarray(this.start, this.pos)
  }

  /** Where the message written since begin() is: finish() without the view. */
  finishInto(into: { buffer: Buffer; start: number; end: number }): void {
    into.buffer = this.buf
    into.start = this.start
    into.end = this.pos
  }

  /** Room for n more bytes at buf[pos...]; a full slab is left behind (never written twice) and the message so far moves to a new one: read buf after. */
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return
    const used = this.pos - this.start
    const next = Buffer.allocUnsafe(Math.max(SLAB_SIZE, (used + n) * 2))
    this.buf.copy(next, 0, this.start, this.pos)
    this.buf = next
    this.start = 0
    this.pos = used
  }
}
