// What the offset and time indexes share: fixed-size entries in a growable buffer, kept in
// memory and written to their file at roll and close (only the unsaved tail when it can).
import fs from 'node:fs'

export abstract class IndexFile {
  protected buf: Buffer
  protected count = 0
  /** Entries already in the file; -1 when the whole file must be rewritten. */
  protected written = 0

  protected constructor(
    public file: string,
    readonly baseOffset: number,
    private maxIndexBytes: number,
    private readonly entrySize: number,
    initialBytes: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.min(initialBytes, Math.max(entrySize, maxIndexBytes)))
  }

  /** Fills a fresh index from its file as it is; false when the file is missing or not whole entries. */
  protected loadFrom(file: string): boolean {
    let data: Buffer
    try {
      data = fs.readFileSync(file)
    } catch {
      return false
    }
    if (data.length % this.entrySize !== 0) return false
    if (data.length > 0) this.buf = data
    this.count = data.length / this.entrySize
    this.written = this.count
    return true
  }

  get entries(): number {
    return this.count
  }

  get maxEntries(): number {
    return Math.floor(this.maxIndexBytes / this.entrySize)
  }

  get isFull(): boolean {
    return this.count >= this.maxEntries
  }

  setMaxIndexBytes(bytes: number): void {
    this.maxIndexBytes = bytes
  }

  /** The byte position for the next entry, growing the buffer when it is full. */
  protected nextEntryAt(): number {
    const at = this.count * this.entrySize
    if (at + this.entrySize > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, at + this.entrySize))
      this.buf.copy(next, 0, 0, at)
      this.buf = next
    }
    return at
  }

  /** Drops entries from the end while `drop(last)` holds (the log was truncated). */
  protected truncateWhile(drop: (last: number) => boolean): void {
    while (this.count > 0 && drop(this.count - 1)) this.count--
    if (this.written > this.count) this.written = -1
  }

  reset(): void {
    this.count = 0
    this.written = -1
  }

  /** Writes unsaved entries (the whole file when it was truncated or rebuilt). */
  save(): void {
    if (this.written === this.count) return
    if (this.written < 0 || this.written > this.count) {
      fs.writeFileSync(this.file, this.buf.subarray(0, this.count * this.entrySize))
    } else {
      const fd = fs.openSync(this.file, fs.constants.O_WRONLY | fs.constants.O_CREAT)
      try {
        const from = this.written * this.entrySize
        const to = this.count * this.entrySize
        fs.writeSync(fd, this.buf, from, to - from, from)
        fs.ftruncateSync(fd, to)
      } finally {
        fs.closeSync(fd)
      }
    }
    this.written = this.count
  }

  /** Marks everything unsaved (the file is to be rewritten, e.g. under a new name). */
  markDirty(): void {
    this.written = -1
  }
}
