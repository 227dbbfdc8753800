// Sparse time index of one segment: 12-byte entries (int64 timestamp, int32
// offset relative to the segment base). An entry is added only for a new
// maximum timestamp, so timestamps strictly increase. Kept in memory, written
// at roll and close like the offset index.
import { IndexFile } from './index-file.js'
import { readInt64, writeInt64 } from '../protocol/records/batch-header.js'

export const TIME_INDEX_ENTRY_SIZE = 12

export interface TimeIndexEntry {
  timestamp: number
  offset: number
}

export class TimeIndex extends IndexFile {
  constructor(file: string, baseOffset: number, maxIndexBytes: number) {
    super(file, baseOffset, maxIndexBytes, TIME_INDEX_ENTRY_SIZE, 1200)
  }

  static load(file: string, baseOffset: number, maxIndexBytes: number): TimeIndex | null {
    const index = new TimeIndex(file, baseOffset, maxIndexBytes)
    return index.loadFrom(file) ? index : null
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
    const at = this.nextEntryAt()
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
    this.truncateWhile((last) => this.offset(last) >= offset)
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
}
