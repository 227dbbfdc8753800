// One log segment: `<20-digit base offset>.log` holding v2 record batches as
// received, plus its sparse offset and time indexes. The segment knows bytes
// and offsets; when to roll, flush or recover is the Log's business.
import fs from 'node:fs'
import path from 'node:path'
import { CorruptRecordError } from '../errors.js'
import {
  BATCH_HEADER_SIZE,
  BATCH_LENGTH,
  LOG_OVERHEAD,
  MAGIC,
  baseOffset as batchBaseOffset,
  lastOffsetDelta,
  maxTimestamp as batchMaxTimestamp,
} from '../protocol/records/batch-header.js'
import { isBatchCrcValid } from '../protocol/records/crc32c.js'
import { type FileHandleCache, type ManagedFile, segmentFiles } from './file-handles.js'
import { OffsetIndex } from './offset-index.js'
import { TimeIndex } from './time-index.js'

export const LOG_SUFFIX = '.log'
export const INDEX_SUFFIX = '.index'
export const TIME_INDEX_SUFFIX = '.timeindex'
const MIN_BATCH_LENGTH = BATCH_HEADER_SIZE - LOG_OVERHEAD

export function offsetFileName(offset: number, suffix: string): string {
  return String(offset).padStart(20, '0') + suffix
}

/** Base offset from a file name like 00000000000000000042.log, or null. */
export function parseOffsetFileName(name: string, suffix: string): number | null {
  if (!name.endsWith(suffix)) return null
  const stem = name.slice(0, name.length - suffix.length)
  if (!/^\d{20}$/.test(stem)) return null
  const n = Number(stem)
  return Number.isSafeInteger(n) ? n : null
}

/** Settings a segment needs; a subset of LogConfig. */
export interface SegmentConfig {
  segmentIndexBytes: number
  indexIntervalBytes: number
}

/** Called per complete batch; `buf` is a view valid only during the call. Return false to stop. */
export type BatchVisitor = (buf: Buffer, at: number, position: number, size: number) => boolean | void

export interface ScanResult {
  /** Position after the last batch visited and accepted. */
  end: number
  /** Why the scan stopped before `end` of the range, if it was bad data. */
  problem: string | null
  /** True if the visitor stopped the scan. */
  stopped: boolean
}

// One shared read buffer for header scans: everything here is synchronous.
let scanBuf = Buffer.allocUnsafe(256 * 1024)

/**
 * Walks the batches of `fd` in [start, end). Checks framing (length, magic) and,
 * with verifyCrc, the CRC of each batch. Visitors must not start another scan.
 */
export function scanBatches(
  fd: number,
  start: number,
  end: number,
  verifyCrc: boolean,
  visit: BatchVisitor,
  readAhead = scanBuf.length,
): ScanResult {
  let chunkStart = start
  let chunkLen = 0
  let pos = start
  // Small first read for lookups; later refills read more.
  let want = Math.max(readAhead, 4096)
  while (pos < end) {
    const remaining = end - pos
    if (remaining < LOG_OVERHEAD) return { end: pos, problem: `${remaining} trailing bytes, less than a batch header`, stopped: false }
    let at = pos - chunkStart
    if (at + BATCH_HEADER_SIZE > chunkLen) {
      chunkLen = readAt(fd, scanBuf, 0, Math.min(scanBuf.length, remaining, want), pos)
      want *= 4
      chunkStart = pos
      at = 0
      if (chunkLen < Math.min(BATCH_HEADER_SIZE, remaining)) return { end: pos, problem: 'short read', stopped: false }
    }
    if (remaining < BATCH_HEADER_SIZE) return { end: pos, problem: `${remaining} trailing bytes, less than a batch header`, stopped: false }
    const length = scanBuf.readInt32BE(at + BATCH_LENGTH)
    if (length < MIN_BATCH_LENGTH) return { end: pos, problem: `batch length ${length} is below ${MIN_BATCH_LENGTH}`, stopped: false }
    const size = LOG_OVERHEAD + length
    if (size > remaining) return { end: pos, problem: `batch of ${size} bytes truncated at ${remaining}`, stopped: false }
    const m = scanBuf[at + MAGIC]
    if (m !== 2) return { end: pos, problem: `batch magic ${m}, expected 2`, stopped: false }
    if (verifyCrc) {
      if (at + size > chunkLen) {
        if (size > scanBuf.length) scanBuf = Buffer.allocUnsafe(Math.max(size, scanBuf.length * 2))
        chunkLen = readAt(fd, scanBuf, 0, Math.min(scanBuf.length, remaining, Math.max(want, size)), pos)
        want *= 4
        chunkStart = pos
        at = 0
        if (chunkLen < size) return { end: pos, problem: 'short read', stopped: false }
      }
      if (!isBatchCrcValid(scanBuf, at, at + size)) return { end: pos, problem: 'CRC mismatch', stopped: false }
    }
    if (visit(scanBuf, at, pos, size) === false) return { end: pos, problem: null, stopped: true }
    pos += size
  }
  return { end: pos, problem: null, stopped: false }
}

function readAt(fd: number, buf: Buffer, offset: number, length: number, position: number): number {
  let done = 0
  while (done < length) {
    const n = fs.readSync(fd, buf, offset + done, length - done, position + done)
    if (n === 0) break
    done += n
  }
  return done
}

/** A stretch of a segment that does not parse; its bytes stay in place, its offsets are unreadable. */
export interface CorruptRange {
  /** First byte that does not parse. */
  position: number
  /** Where the next good batch starts (the segment end when none follows). */
  end: number
  /** First offset lost (the offset after the last good batch before it). */
  firstOffset: number
  /** First offset readable again after it (-1: up to the next segment). */
  nextOffset: number
  reason: string
}

export interface RebuildResult {
  /** Bytes cut from a torn tail (only with truncateTail). */
  truncatedBytes: number
  /** Where the tail was cut and why, when it was. */
  tail: { position: number; reason: string } | null
  /** Damaged stretches kept in place, with the offsets they cover. */
  holes: CorruptRange[]
}

/** Damaged bytes met in a segment's data. */
export class SegmentCorruptError extends CorruptRecordError {
  constructor(
    readonly segment: LogSegment,
    message: string,
    position: number,
  ) {
    super(message, position)
    this.name = 'SegmentCorruptError'
  }
}

/** An index entry that does not point at the batch it names: the index must be rebuilt. */
export class IndexMismatchError extends CorruptRecordError {
  constructor(
    readonly segment: LogSegment,
    readonly file: string,
    message: string,
  ) {
    super(`Index ${file} is corrupt: ${message}`)
    this.name = 'IndexMismatchError'
  }
}

export class LogSegment implements ManagedFile {
  /** Bytes of the .log file that belong to the log. */
  size: number
  /** Last offset + 1 of the data in this segment (the base offset when empty). */
  nextOffset: number
  maxTimestamp = -1
  offsetOfMaxTimestamp = -1
  /** maxTimestamp of the first batch, which segment.ms measures age from (null: none yet). */
  firstBatchTimestamp: number | null = null
  private bytesSinceLastIndexEntry = 0
  index: OffsetIndex
  timeIndex: TimeIndex
  /** Damaged stretches found by the last rebuild (null: never rebuilt in this process). */
  holes: CorruptRange[] | null = null
  private closed = false
  private handle: number
  private pins = 0
  private readonly files: FileHandleCache

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    handle: number,
    size: number,
    readonly createdMs: number,
    index: OffsetIndex,
    timeIndex: TimeIndex,
  ) {
    this.size = size
    this.nextOffset = baseOffset
    this.index = index
    this.timeIndex = timeIndex
    this.handle = handle
    this.files = segmentFiles
    this.files.touch(this)
  }

  /** The .log file's descriptor, reopened on demand when the open-files budget closed it. */
  get fd(): number {
    if (this.handle < 0) {
      if (this.closed) throw new Error(`Segment ${this.logFile} is closed`)
      this.handle = fs.openSync(this.logFile, fs.constants.O_RDWR)
    }
    this.files.touch(this)
    return this.handle
  }

  get pinned(): boolean {
    return this.pins > 0
  }

  releaseHandle(): void {
    if (this.handle < 0) return
    const fd = this.handle
    this.handle = -1
    fs.closeSync(fd)
  }

  private closeHandle(): void {
    this.files.forget(this)
    // An fsync in flight closes the descriptor when it completes.
    if (this.pins === 0) this.releaseHandle()
  }

  get logFile(): string {
    return path.join(this.dir, offsetFileName(this.baseOffset, LOG_SUFFIX))
  }

  get indexFile(): string {
    return path.join(this.dir, offsetFileName(this.baseOffset, INDEX_SUFFIX))
  }

  get timeIndexFile(): string {
    return path.join(this.dir, offsetFileName(this.baseOffset, TIME_INDEX_SUFFIX))
  }

  get isClosed(): boolean {
    return this.closed
  }

  static create(dir: string, baseOffset: number, config: SegmentConfig, now: number): LogSegment {
    const file = path.join(dir, offsetFileName(baseOffset, LOG_SUFFIX))
    const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC)
    const seg = new LogSegment(
      dir,
      baseOffset,
      fd,
      0,
      now,
      new OffsetIndex(path.join(dir, offsetFileName(baseOffset, INDEX_SUFFIX)), baseOffset, config.segmentIndexBytes),
      new TimeIndex(path.join(dir, offsetFileName(baseOffset, TIME_INDEX_SUFFIX)), baseOffset, config.segmentIndexBytes),
    )
    seg.index.markDirty()
    seg.timeIndex.markDirty()
    return seg
  }

  /**
   * Opens an existing segment with whatever index files it has. `indexProblem`
   * says why the indexes must be rebuilt (missing or malformed), else null; the
   * caller then either recovers the segment or calls loadNextOffset + sanityCheck.
   */
  static open(dir: string, baseOffset: number, config: SegmentConfig, now: number): { segment: LogSegment; indexProblem: string | null } {
    const file = path.join(dir, offsetFileName(baseOffset, LOG_SUFFIX))
    const fd = fs.openSync(file, fs.constants.O_RDWR)
    const stat = fs.fstatSync(fd)
    const indexFile = path.join(dir, offsetFileName(baseOffset, INDEX_SUFFIX))
    const timeFile = path.join(dir, offsetFileName(baseOffset, TIME_INDEX_SUFFIX))
    const index = OffsetIndex.load(indexFile, baseOffset, config.segmentIndexBytes)
    const timeIndex = TimeIndex.load(timeFile, baseOffset, config.segmentIndexBytes)
    let problem: string | null = null
    if (index === null) problem = 'offset index missing or not a whole number of entries'
    else if (timeIndex === null) problem = 'time index missing or not a whole number of entries'
    const seg = new LogSegment(
      dir,
      baseOffset,
      fd,
      stat.size,
      Math.min(stat.mtimeMs, now),
      index ?? new OffsetIndex(indexFile, baseOffset, config.segmentIndexBytes),
      timeIndex ?? new TimeIndex(timeFile, baseOffset, config.segmentIndexBytes),
    )
    return { segment: seg, indexProblem: problem }
  }

  setIndexBytes(bytes: number): void {
    this.index.setMaxIndexBytes(bytes)
    this.timeIndex.setMaxIndexBytes(bytes)
  }

  /**
   * Writes `buf` (complete batches, offsets assigned) at the end with one
   * write call and indexes it. On a failed write the file is cut back.
   */
  append(buf: Buffer, indexIntervalBytes: number): void {
    const start = this.size
    try {
      let done = 0
      while (done < buf.length) done += fs.writeSync(this.fd, buf, done, buf.length - done, start + done)
    } catch (err) {
      try {
        fs.ftruncateSync(this.fd, start)
      } catch {
        // the write error is the one to report
      }
      throw err
    }
    this.size = start + buf.length
    let at = 0
    while (at < buf.length) {
      const size = LOG_OVERHEAD + buf.readInt32BE(at + BATCH_LENGTH)
      this.indexBatch(buf, at, start + at, size, indexIntervalBytes)
      at += size
    }
  }

  /** Updates indexes and in-memory bounds for a batch now at `position`. */
  private indexBatch(buf: Buffer, at: number, position: number, size: number, indexIntervalBytes: number): void {
    const last = batchBaseOffset(buf, at) + lastOffsetDelta(buf, at)
    const ts = batchMaxTimestamp(buf, at)
    if (this.firstBatchTimestamp === null) this.firstBatchTimestamp = ts
    if (ts > this.maxTimestamp || this.offsetOfMaxTimestamp < 0) {
      this.maxTimestamp = ts
      this.offsetOfMaxTimestamp = last
    }
    if (this.bytesSinceLastIndexEntry > indexIntervalBytes) {
      this.index.append(last, position)
      if (this.maxTimestamp >= 0) this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp)
      this.bytesSinceLastIndexEntry = 0
    }
    this.bytesSinceLastIndexEntry += size
    if (last + 1 > this.nextOffset) this.nextOffset = last + 1
  }

  /**
   * Validates every batch (framing + CRC), rebuilds both indexes from scratch
   * and cuts off anything after the last good batch. Returns the bytes cut.
   * (rebuild() with truncateTail; the compactor uses it on files it just wrote.)
   */
  recover(indexIntervalBytes: number): { truncatedBytes: number; problem: string | null } {
    const result = this.rebuild(indexIntervalBytes, { truncateTail: true })
    const problem = result.tail?.reason ?? result.holes[0]?.reason ?? null
    return { truncatedBytes: result.truncatedBytes, problem }
  }

  /**
   * Validates every batch (framing, CRC, increasing offsets) and rebuilds both
   * indexes. Damage followed by good batches is a hole: its bytes stay where they
   * are, the index gets an entry at the next good batch so reads past it never
   * scan the damage, and the offsets in between read as corrupt. Damage with no
   * good batch after it is a torn tail: cut off with truncateTail (the log's last
   * segment), else kept as a hole up to the segment end.
   */
  rebuild(indexIntervalBytes: number, options: { truncateTail: boolean; nextSegmentBase?: number }): RebuildResult {
    this.index.reset()
    this.timeIndex.reset()
    this.resetBounds()
    const holes: CorruptRange[] = []
    let tail: RebuildResult['tail'] = null
    let truncatedBytes = 0
    let pos = 0
    for (;;) {
      let bad: string | null = null
      const result = scanBatches(this.fd, pos, this.size, true, (buf, at, position, size) => {
        // The CRC does not cover the base offset: offsets must at least keep increasing.
        const base = batchBaseOffset(buf, at)
        if (base < this.nextOffset) {
          bad = `batch base offset ${base} does not follow ${this.nextOffset - 1}`
          return false
        }
        this.indexBatch(buf, at, position, size, indexIntervalBytes)
        return true
      })
      const reason = bad ?? result.problem
      if (reason === null) break
      const at = result.end
      const firstLost = this.nextOffset
      const next = this.findNextGoodBatch(at + 1, firstLost)
      if (next === null) {
        if (options.truncateTail) {
          truncatedBytes = this.size - at
          fs.ftruncateSync(this.fd, at)
          this.size = at
          tail = { position: at, reason }
        } else {
          holes.push({ position: at, end: this.size, firstOffset: firstLost, nextOffset: options.nextSegmentBase ?? -1, reason })
        }
        break
      }
      holes.push({ position: at, end: next.position, firstOffset: firstLost, nextOffset: next.baseOffset, reason })
      // Reads at or past the next good batch start there, never inside the damage.
      this.index.append(next.baseOffset, next.position)
      this.bytesSinceLastIndexEntry = 0
      this.nextOffset = next.baseOffset
      pos = next.position
    }
    this.holes = holes
    return { truncatedBytes, tail, holes }
  }

  /**
   * The first position at or after `from` where a whole batch with a valid CRC and a
   * base offset >= minBase starts: where reading resumes after damaged bytes.
   */
  private findNextGoodBatch(from: number, minBase: number): { position: number; baseOffset: number } | null {
    const window = 1 << 20
    const buf = Buffer.allocUnsafe(window + BATCH_HEADER_SIZE)
    for (let start = from; start + BATCH_HEADER_SIZE <= this.size; start += window) {
      const n = readAt(this.fd, buf, 0, Math.min(buf.length, this.size - start), start)
      for (let i = 0; i + BATCH_HEADER_SIZE <= n && i < window; i++) {
        if (buf[i + MAGIC] !== 2) continue
        const length = buf.readInt32BE(i + BATCH_LENGTH)
        const position = start + i
        if (length < MIN_BATCH_LENGTH || position + LOG_OVERHEAD + length > this.size) continue
        const base = batchBaseOffset(buf, i)
        if (base < minBase || base - minBase > 0x7fffffff) continue
        const batch = this.readBytes(position, LOG_OVERHEAD + length)
        if (isBatchCrcValid(batch, 0, batch.length)) return { position, baseOffset: base }
      }
    }
    return null
  }

  /** The known hole holding `offset`, if a rebuild found one. */
  holeAt(offset: number): CorruptRange | null {
    for (const h of this.holes ?? []) {
      if (offset >= h.firstOffset && (h.nextOffset < 0 || offset < h.nextOffset)) return h
    }
    return null
  }

  private resetBounds(): void {
    this.nextOffset = this.baseOffset
    this.maxTimestamp = -1
    this.offsetOfMaxTimestamp = -1
    this.firstBatchTimestamp = null
    this.bytesSinceLastIndexEntry = 0
  }

  /**
   * For a segment trusted as is (clean shutdown): finds the next offset by
   * scanning headers after the last index entry, and the max timestamp from the
   * time index (its last entry is written at roll and close). Returns a problem
   * if the tail does not parse, so the caller can recover instead.
   */
  loadBounds(): string | null {
    this.resetBounds()
    const lastTime = this.timeIndex.lastEntry()
    if (lastTime !== null) {
      this.maxTimestamp = lastTime.timestamp
      this.offsetOfMaxTimestamp = lastTime.offset
    }
    const lastEntry = this.index.lastEntry()
    const from = lastEntry?.position ?? 0
    let first = true
    let mismatch: string | null = null
    const result = scanBatches(this.fd, from, this.size, false, (buf, at) => {
      const last = batchBaseOffset(buf, at) + lastOffsetDelta(buf, at)
      if (first && lastEntry !== null && (lastEntry.offset < batchBaseOffset(buf, at) || lastEntry.offset > last)) {
        mismatch = `last index entry names offset ${lastEntry.offset}, its batch holds ${batchBaseOffset(buf, at)}..${last}`
        return false
      }
      if (last + 1 > this.nextOffset) this.nextOffset = last + 1
      const ts = batchMaxTimestamp(buf, at)
      if (ts > this.maxTimestamp) {
        this.maxTimestamp = ts
        this.offsetOfMaxTimestamp = last
      }
      if (first && from === 0) this.firstBatchTimestamp = ts
      first = false
    })
    if (mismatch !== null) return mismatch
    if (result.problem !== null) return result.problem
    if (from > 0 && this.size > 0) {
      scanBatches(this.fd, 0, this.size, false, (buf, at) => {
        this.firstBatchTimestamp = batchMaxTimestamp(buf, at)
        return false
      })
    }
    // Bytes since the last entry are unknown after a reopen; start counting afresh.
    return null
  }

  /** Index checks that need no bounds: entries increase and point inside the file. Run before loadBounds trusts the index. */
  checkIndexStructure(): string | null {
    return this.index.sanityCheck(this.size, Infinity)
  }

  /** The time index's last entry must match the batch it names (it gives the segment's max timestamp, which retention trusts). */
  checkTimeIndexTail(): string | null {
    const last = this.timeIndex.lastEntry()
    if (last === null || this.size === 0) return null
    if (last.offset < this.baseOffset || last.offset >= this.nextOffset) return `time index names offset ${last.offset}, outside ${this.baseOffset}..${this.nextOffset - 1}`
    let pos: number
    try {
      pos = this.findBatchPosition(last.offset)
    } catch (err) {
      return `time index tail check failed: ${(err as Error).message}`
    }
    if (pos < 0) return `time index names offset ${last.offset}, which no batch holds`
    const header = this.readBytes(pos, BATCH_HEADER_SIZE)
    const ts = batchMaxTimestamp(header, 0)
    if (ts !== last.timestamp) return `time index says ${last.timestamp} for offset ${last.offset}, its batch says ${ts}`
    return null
  }

  sanityCheckIndexes(): string | null {
    return this.index.sanityCheck(this.size, this.nextOffset) ?? this.timeIndex.sanityCheck(this.nextOffset)
  }

  /** Position of the first batch whose last offset is >= target, or -1 if none here. */
  findBatchPosition(target: number, limit = this.size, readAhead = 16384): number {
    const entry = this.index.lookup(target)
    const from = entry.position
    let found = -1
    let first = from > 0
    if (from >= limit && from > 0) throw new IndexMismatchError(this, this.indexFile, `entry for offset ${entry.offset} points at ${from}, past the data`)
    const result = scanBatches(
      this.fd,
      from,
      limit,
      false,
      (buf, at, position) => {
        if (first) {
          // An index entry names an offset of the batch it points at; anything else is a damaged index.
          first = false
          const base = batchBaseOffset(buf, at)
          if (entry.offset < base || entry.offset > base + lastOffsetDelta(buf, at)) {
            throw new IndexMismatchError(this, this.indexFile, `entry for offset ${entry.offset} points at a batch holding ${base}..${base + lastOffsetDelta(buf, at)}`)
          }
        }
        if (batchBaseOffset(buf, at) + lastOffsetDelta(buf, at) >= target) {
          found = position
          return false
        }
        return true
      },
      readAhead,
    )
    if (found < 0 && result.problem !== null) {
      if (result.end === from && from > 0) throw new IndexMismatchError(this, this.indexFile, `entry for offset ${entry.offset} points at ${from}, not at a batch (${result.problem})`)
      throw this.corrupt(result.problem, result.end)
    }
    return found
  }

  /** Reads [position, position + length) into `out` at `outOffset`. */
  readInto(out: Buffer, outOffset: number, position: number, length: number): void {
    const n = readAt(this.fd, out, outOffset, length, position)
    if (n < length) throw this.corrupt(`short read: ${n} of ${length} bytes`, position)
  }

  /** Reads a whole region into a new buffer. */
  readBytes(position: number, length: number): Buffer {
    const out = Buffer.allocUnsafe(length)
    this.readInto(out, 0, position, length)
    return out
  }

  corrupt(problem: string, position: number): SegmentCorruptError {
    return new SegmentCorruptError(this, `Corrupt record batch in ${this.logFile} at position ${position}: ${problem}`, position)
  }

  /** Adds the final max-timestamp entry and writes both indexes (roll and close). */
  finishIndexes(): void {
    if (this.maxTimestamp >= 0) this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp)
    this.saveIndexes()
  }

  saveIndexes(): void {
    this.index.save()
    this.timeIndex.save()
  }

  /** Cuts the segment so it ends before the batch at `position`. */
  truncateToPosition(position: number, indexIntervalBytes: number): void {
    fs.ftruncateSync(this.fd, position)
    this.size = position
    // Bounds and indexes are recomputed from what is left.
    this.index.reset()
    this.timeIndex.reset()
    this.resetBounds()
    scanBatches(this.fd, 0, this.size, false, (buf, at, pos, size) => {
      this.indexBatch(buf, at, pos, size, indexIntervalBytes)
    })
  }

  fdatasync(): Promise<void> {
    let fd: number
    try {
      fd = this.fd
    } catch (err) {
      return Promise.reject(err)
    }
    this.pins++
    return new Promise((resolve, reject) => {
      fs.fdatasync(fd, (err) => {
        this.pins--
        if (this.pins === 0 && this.closed) this.releaseHandle()
        else if (this.pins === 0) this.files.unpinned()
        if (err) reject(err)
        else resolve()
      })
    })
  }

  fsyncNow(): void {
    fs.fdatasyncSync(this.fd)
  }

  close(saveIndexes = true): void {
    if (this.closed) return
    if (saveIndexes) this.finishIndexes()
    this.closed = true
    this.closeHandle()
  }

  /** Closes and removes the segment's files. */
  deleteFiles(): void {
    if (!this.closed) {
      this.closed = true
      this.closeHandle()
    }
    for (const f of [this.logFile, this.indexFile, this.timeIndexFile]) fs.rmSync(f, { force: true })
  }
}
