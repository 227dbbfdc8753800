// Sparse time index of one segment: 12-byte entries (int64 timestamp, int32
// offset relative to the segment base). An entry is added only for a new
// maximum timestamp, so timestamps strictly increase. Kept in memory, written
// at roll and close like the offset index.
import fs from 'node:fs'
import { readInt64, writeInt64 } from '../protocol/records/batch-header.js'

export const TIME_INDEX_ENTRY_SIZE = 12

export interface TimeIndexEntry {
  timestamp: number
  offset: number
}

export class TimeIndex {
  private buf: Buffer
  private count = 0
  private written = 0

  constructor(
    public file: string,
    readonly baseOffset: number,
    private maxIndexBytes: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.min(1200, Math.max(TIME_INDEX_ENTRY_SIZE, maxIndexBytes)))
  }

  static load(file: string, baseOffset: number, maxIndexBytes: number): TimeIndex | null {
    let data: Buffer
    try {
      data = fs.readFileSync(file)
    } catch {
      return null
    }
    if (data.length % TIME_INDEX_ENTRY_SIZE !== 0) return null
    const index = new TimeIndex(file, baseOffset, maxIndexBytes)
    index.buf = data.length > 0 ? data : index.buf
    index.count = data.length / TIME_INDEX_ENTRY_SIZE
    index.written = index.count
    return index
  }

  get entries(): number {
    return this.count
  }

  get maxEntries(): number {
    return Math.floor(this.maxIndexBytes / TIME_INDEX_ENTRY_SIZE)
  }

  get isFull(): boolean {
    return this.count >= this.maxEntries
  }

  setMaxIndexBytes(bytes: number): void {
    this.maxIndexBytes = bytes
  }

  timestamp(i: number): number {
    return readInt64(this.buf, i * TIME_INDEX_ENTRY_SIZE)
  }

  offset(i: number): number {
    return this.baseOffset + this.buf.readInt32BE(i * TIME_INDEX_ENTRY_SIZE + 8)
  }

  lastEntry(): TimeIndexEntry | null {
    if (this.count === 0) return null
    return { timestamp: this.timestamp(this.count - 1), offset: this.offset(this.count - 1) }
  }

  /** Adds (timestamp, offset) if the timestamp is a new maximum. */
  maybeAppend(timestamp: number, offset: number): void {
    if (this.count > 0) {
      const last = this.count - 1
      if (timestamp <= this.timestamp(last) || offset < this.offset(last)) return
    }
    const at = this.count * TIME_INDEX_ENTRY_SIZE
    if (at + TIME_INDEX_ENTRY_SIZE > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, at + TIME_INDEX_ENTRY_SIZE))
      this.buf.copy(next, 0, 0, at)
      this.buf = next
    }
    writeInt64(this.buf, at, timestamp)
    this.buf.writeInt32BE(offset - this.baseOffset, at + 8)
    this.count++
  }

  /**
   * The last entry with a timestamp strictly below `target`: every batch up to
   * and including its offset is older than target, so a scan starts after it.
   */
  lookupBefore(target: number): TimeIndexEntry | null {
    let lo = 0
    let hi = this.count - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (this.timestamp(mid) < target) {
        found = mid
        lo = mid + 1
      } else {
        hi = mid - 1
      }
    }
    return found < 0 ? null : { timestamp: this.timestamp(found), offset: this.offset(found) }
  }

  truncateToOffset(offset: number): void {
    while (this.count > 0 && this.offset(this.count - 1) >= offset) this.count--
    if (this.written > this.count) this.written = -1
  }

  reset(): void {
    this.count = 0
    this.written = -1
  }

  sanityCheck(nextOffset: number): string | null {
    let prevTs = -Infinity
    let prevOff = -1
    for (let i = 0; i < this.count; i++) {
      const ts = this.timestamp(i)
      const off = this.offset(i)
      if (ts <= prevTs || off < prevOff || off < this.baseOffset) return `entry ${i} does not increase`
      prevTs = ts
      prevOff = off
    }
    if (this.count > 0 && prevOff >= nextOffset) return `last entry offset ${prevOff} is past the segment end`
    return null
  }

  save(): void {
    if (this.written === this.count) return
    if (this.written < 0 || this.written > this.count) {
      fs.writeFileSync(this.file, this.buf.subarray(0, this.count * TIME_INDEX_ENTRY_SIZE))
    } else {
      const fd = fs.openSync(this.file, fs.constants.O_WRONLY | fs.constants.O_CREAT)
      try {
        const from = this.written * TIME_INDEX_ENTRY_SIZE
        const to = this.count * TIME_INDEX_ENTRY_SIZE
        fs.writeSync(fd, this.buf, from, to - from, from)
        fs.ftruncateSync(fd, to)
      } finally {
        fs.closeSync(fd)
      }
    }
    this.written = this.count
  }

  markDirty(): void {
    this.written = -1
  }
}
