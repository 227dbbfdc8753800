// Sparse offset index of one segment: 8-byte entries (offset relative to the
// segment base, int32 file position). Entries live in memory and are written
// to the .index file at roll and close; a missing or short index only makes
// reads scan further, and recovery rebuilds it.
import { IndexFile } from './index-file.js'

export const OFFSET_INDEX_ENTRY_SIZE = 8

export interface IndexEntry {
  offset: number
  position: number
}

export class OffsetIndex extends IndexFile {
  constructor(file: string, baseOffset: number, maxIndexBytes: number) {
    super(file, baseOffset, maxIndexBytes, OFFSET_INDEX_ENTRY_SIZE, 1024)
  }

  /** Reads the index file as it is; check it with sanityCheck before trusting it. */
  static load(file: string, baseOffset: number, maxIndexBytes: number): OffsetIndex | null {
    const index = new OffsetIndex(file, baseOffset, maxIndexBytes)
    return index.loadFrom(file) ? index : null
  }

  relativeOffset(i: number): number {
    return this.buf.readInt32BE(i * OFFSET_INDEX_ENTRY_SIZE)
  }

  position(i: number): number {
    return this.buf.readInt32BE(i * OFFSET_INDEX_ENTRY_SIZE + 4)
  }

  lastEntry(): IndexEntry | null {
    if (this.count === 0) return null
    return { offset: this.baseOffset + this.relativeOffset(this.count - 1), position: this.position(this.count - 1) }
  }

  /** Adds an entry; offsets and positions must increase. */
  append(offset: number, position: number): void {
    const rel = offset - this.baseOffset
    if (this.count > 0 && (rel <= this.relativeOffset(this.count - 1) || position <= this.position(this.count - 1))) {
      return // not increasing: the index stays sparse rather than wrong
    }
    const at = this.nextEntryAt()
    this.buf.writeInt32BE(rel, at)
    this.buf.writeInt32BE(position, at + 4)
    this.count++
  }

  /** Position of the last entry whose offset is <= target (0 when none): where a scan for target starts. */
  lookup(target: number): IndexEntry {
    const rel = target - this.baseOffset
    let lo = 0
    let hi = this.count - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (this.relativeOffset(mid) <= rel) {
        found = mid
        lo = mid + 1
      } else {
        hi = mid - 1
      }
    }
    if (found < 0) return { offset: this.baseOffset, position: 0 }
    return { offset: this.baseOffset + this.relativeOffset(found), position: this.position(found) }
  }

  /** Drops entries at or past `position` (the log was truncated there). */
  truncateToPosition(position: number): void {
    this.truncateWhile((last) => this.position(last) >= position)
  }

  /** Why the index cannot be trusted for a log of `logSize` bytes, or null if it looks sound. */
  sanityCheck(logSize: number, nextOffset: number): string | null {
    let prevRel = -1
    let prevPos = -1
    for (let i = 0; i < this.count; i++) {
      const rel = this.relativeOffset(i)
      const pos = this.position(i)
      if (rel <= prevRel || pos <= prevPos) return `entry ${i} does not increase`
      if (rel < 0 || pos < 0) return `entry ${i} is negative`
      prevRel = rel
      prevPos = pos
    }
    if (prevPos >= logSize && this.count > 0) return `last entry points at ${prevPos}, past the log end ${logSize}`
    if (this.count > 0 && this.baseOffset + prevRel >= nextOffset) return `last entry offset is past the segment end`
    return null
  }
}
