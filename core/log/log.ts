// A partition's append-only log: a folder of segments named by base offset.
// append() and read() are synchronous (page cache); fsync runs on the libuv
// threadpool, and acknowledgements that need it wait through group commit.
//
// Durability modes:
// - flush.messages / flush.ms: a background fdatasync once that many records
//   are unflushed or the oldest unflushed data is that old (Kafka's meaning).
// - fsync before acknowledge: waitForFlush(offset) resolves once every byte
//   below `offset` is fdatasync'ed; waiters share fsyncs (while one runs, new
//   waiters queue for the next). The broker uses it for acks=all when
//   needsFlushOnAck(), which is flush.messages=1 ("fsync every message").
//
// Files in the folder: `<base>.log/.index/.timeindex`, `<offset>.snapshot`
// (producer state), `log.checkpoint` (recovery point + log start offset) and
// `clean-shutdown` (written by close, removed by open).
import fs from 'node:fs'
import path from 'node:path'
import { BrookError, CorruptRecordError, OffsetOutOfRangeError, RecordTooLargeError, asStorageError } from '../errors.js'
import {
  ATTRIBUTES,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH,
  LAST_OFFSET_DELTA,
  LOG_OVERHEAD,
  MAGIC,
  MAX_TIMESTAMP,
  RECORD_COUNT,
  CONTROL_MASK,
  TRANSACTIONAL_MASK,
  TIMESTAMP_TYPE_MASK,
  TimestampType,
  baseOffset as batchBaseOffset,
  baseSequence,
  lastOffsetDelta,
  maxTimestamp as batchMaxTimestamp,
  producerEpoch,
  producerId,
  recordCount as batchRecordCount,
  setBaseOffset,
  timestampType,
  writeInt64,
} from '../protocol/records/batch-header.js'
import { isBatchCrcValid, writeBatchCrc } from '../protocol/records/crc32c.js'
import { forEachRecord } from '../protocol/records/record-batch.js'
import {
  fsyncDir,
  hasCleanShutdownMarker,
  readCheckpoint,
  removeCleanShutdownMarker,
  writeCheckpoint,
  writeCleanShutdownMarker,
} from './checkpoint.js'
import { type CompactionStats, compactLog, recoverSwapFiles } from './cleaner/compactor.js'
import { planRetention } from './cleaner/retention.js'
import { LONG_MAX, type LogConfig, validateLogConfig } from './log-config.js'
import { ProducerStateManager, lastSequenceOf } from './producer-state.js'
import { type CorruptRange, IndexMismatchError, LOG_SUFFIX, SegmentCorruptError, LogSegment, parseOffsetFileName, scanBatches } from './segment.js'
import { TransactionTracker } from './transaction-tracker.js'
import { RateLimitedLogger, stderrLogger } from '../logger.js'

/** Log events of logs opened without a logger. */
const defaultLogLogger = new RateLimitedLogger(stderrLogger)

export interface AppendResult {
  baseOffset: number
  lastOffset: number
  /** The broker's append time for LogAppendTime topics, -1 for CreateTime. */
  logAppendTime: number
  maxTimestamp: number
  recordCount: number
  /** True when an idempotent retry matched an earlier batch: nothing was written. */
  duplicate: boolean
}

export interface AppendOptions {
  /**
   * true (default, produce path): offsets are assigned from the log end.
   * false: batches keep their base offsets, which must increase past the log end.
   */
  assignOffsets?: boolean
  /**
   * true: the caller computed each batch's CRC over these very bytes in this process (the
   * embedded producer's own batches), so it is not computed again. Never for bytes read from a
   * socket or a file: those are always checked (default false).
   */
  crcComputed?: boolean
}

export interface ReadOptions {
  /** Exclusive upper bound: batches starting at or after it are not returned (e.g. the high watermark). */
  maxOffset?: number
}

export interface LogOptions {
  /** Used in errors, e.g. 'orders-0'. */
  name?: string
  /** Where recovery, truncation and corruption are reported (rate-limited per cause). */
  logger?: RateLimitedLogger
  /** Clock, injectable for tests. */
  now?: () => number
}

export interface LogStats {
  /** Completed fsync rounds (one per group commit, whatever the number of waiters). */
  fsyncs: number
  appends: number
  rolls: number
  /** Segments scanned by recovery at open. */
  recoveredSegments: number
  /** Bytes cut from torn or corrupt tails at open. */
  truncatedBytes: number
  /** Index files rebuilt at open because they were missing or malformed. */
  rebuiltIndexes: number
}

export interface RetentionResult {
  deletedSegments: number
  logStartOffset: number
}

export type { CompactionStats }

const EMPTY = Buffer.alloc(0)
const INT32_MAX = 2147483647

interface Waiter {
  offset: number
  resolve: () => void
  reject: (err: unknown) => void
}

export class Log {
  readonly dir: string
  readonly name: string
  readonly stats: LogStats = { fsyncs: 0, appends: 0, rolls: 0, recoveredSegments: 0, truncatedBytes: 0, rebuiltIndexes: 0 }
  private cfg: LogConfig
  private segments: LogSegment[] = []
  private startOffset = 0
  private endOffset = 0
  private readonly clock: () => number
  private readonly log: RateLimitedLogger
  private readonly producers: ProducerStateManager
  private readonly txns: TransactionTracker
  // flushing
  private flushedOffset = 0
  private persistedRecoveryPoint = 0
  private unflushedMessages = 0
  private lastFlushMs: number
  private fsyncRunning = false
  private fsyncAgain = false
  private waiters: Waiter[] = []
  private flushTimer: NodeJS.Timeout | null = null
  private dirDirty = false
  private checkpointOnDisk: { recoveryPoint: number; logStartOffset: number } | null = null
  private closed = false

  private constructor(dir: string, config: LogConfig, options: LogOptions) {
    this.dir = dir
    this.cfg = config
    this.name = options.name ?? path.basename(dir)
    this.clock = options.now ?? Date.now
    this.log = options.logger ?? defaultLogLogger
    this.producers = new ProducerStateManager(dir)
    this.txns = new TransactionTracker(dir)
    this.lastFlushMs = this.clock()
  }

  /** Opens (creating if needed) the log in `dir`, recovering it after an unclean stop. */
  static open(dir: string, config: LogConfig, options: LogOptions = {}): Log {
    validateLogConfig(config)
    fs.mkdirSync(dir, { recursive: true })
    const log = new Log(dir, config, options)
    log.load()
    log.setupFlushTimer()
    return log
  }

  get config(): LogConfig {
    return this.cfg
  }

  updateConfig(config: LogConfig): void {
    validateLogConfig(config)
    this.cfg = config
    for (const s of this.segments) s.setIndexBytes(config.segmentIndexBytes)
    this.setupFlushTimer()
  }

  get logStartOffset(): number {
    return this.startOffset
  }

  get logEndOffset(): number {
    return this.endOffset
  }

  get sizeInBytes(): number {
    let total = 0
    for (const s of this.segments) total += s.size
    return total
  }

  get segmentCount(): number {
    return this.segments.length
  }

  /** Offsets below this are fsynced. */
  get flushedOffsetExclusive(): number {
    return this.flushedOffset
  }

  /** Base offsets of the segments, oldest first. */
  segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset)
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1]!
  }

  // ---- open and recovery ---------------------------------------------------

  private load(): void {
    const dir = this.dir
    for (const name of fs.readdirSync(dir)) {
      if (name.endsWith('.tmp') || name.endsWith('.deleted') || name.endsWith('.cleaned')) {
        fs.rmSync(path.join(dir, name), { force: true })
      }
    }
    recoverSwapFiles(dir)
    const checkpoint = readCheckpoint(dir)
    const clean = checkpoint !== null && hasCleanShutdownMarker(dir)
    removeCleanShutdownMarker(dir)
    const recoveryPoint = clean ? Infinity : (checkpoint?.recoveryPoint ?? 0)

    const bases: number[] = []
    for (const name of fs.readdirSync(dir)) {
      const base = parseOffsetFileName(name, LOG_SUFFIX)
      if (base !== null) bases.push(base)
    }
    bases.sort((a, b) => a - b)
    const now = this.clock()
    const interval = this.cfg.indexIntervalBytes
    let recovered = false
    for (let i = 0; i < bases.length; i++) {
      const base = bases[i]!
      const { segment, indexProblem } = LogSegment.open(dir, base, this.cfg, now)
      const nextBase = bases[i + 1]
      const last = nextBase === undefined
      const pastRecoveryPoint = last || nextBase > recoveryPoint
      let recover = pastRecoveryPoint && !clean
      if (!recover) {
        // Structure first: loadBounds starts from the index's last entry.
        const problem = indexProblem ?? segment.checkIndexStructure() ?? segment.loadBounds() ?? segment.sanityCheckIndexes() ?? segment.checkTimeIndexTail()
        if (problem !== null) {
          recover = true
          this.stats.rebuiltIndexes++
          this.log.warn(`index:${this.name}`, `Rebuilding the indexes of ${segment.logFile}: ${problem}`)
        }
      }
      if (recover) {
        // Only the log's last segment can have a torn tail; damage anywhere else is kept in place and fenced off.
        const result = segment.rebuild(interval, { truncateTail: last, ...(nextBase === undefined ? {} : { nextSegmentBase: nextBase }) })
        this.stats.recoveredSegments++
        this.stats.truncatedBytes += result.truncatedBytes
        if (result.tail !== null) {
          this.log.warn(
            `truncate:${this.name}`,
            `Truncated ${segment.logFile} at position ${result.tail.position}: ${result.truncatedBytes} bytes of torn tail (${result.tail.reason}); the log now ends at offset ${segment.nextOffset}`,
          )
        }
        for (const h of result.holes) this.reportHole(segment, h)
        segment.finishIndexes()
        // Recovered data is fsynced before the checkpoint vouches for it; an empty segment has none.
        if (segment.size > 0 || result.truncatedBytes > 0) {
          segment.fsyncNow()
          recovered = true
        }
      }
      this.segments.push(segment)
    }
    if (recovered) fsyncDir(dir)
    if (recovered) this.log.info(`recovery:${this.name}`, `${this.name}: recovered ${this.stats.recoveredSegments} segment(s)${clean ? ' with damaged indexes' : ' after an unclean shutdown'}${this.stats.truncatedBytes > 0 ? `, truncated ${this.stats.truncatedBytes} byte(s) after a torn or corrupt batch` : ''}`)

    const checkpointStart = checkpoint?.logStartOffset ?? 0
    if (this.segments.length === 0) {
      this.segments.push(LogSegment.create(dir, checkpointStart, this.cfg, now))
      this.active.saveIndexes()
    }
    // Drop empty leading segments? No: an empty segment keeps its base offset as the log start.
    this.endOffset = Math.max(this.active.nextOffset, this.active.baseOffset)
    this.startOffset = Math.min(Math.max(checkpointStart, this.segments[0]!.baseOffset), this.endOffset)

    this.loadProducerState()
    this.loadTransactions()

    this.flushedOffset = this.endOffset
    this.persistedRecoveryPoint = this.endOffset
    // An unchanged checkpoint (clean restart) or a brand-new empty log needs no write (and no fsync).
    const fresh = checkpoint === null && this.endOffset === 0 && this.startOffset === 0
    if (!fresh && !(checkpoint !== null && checkpoint.recoveryPoint === this.endOffset && checkpoint.logStartOffset === this.startOffset)) {
      this.writeCheckpointFile()
    } else {
      this.checkpointOnDisk = checkpoint
    }
  }

  private loadProducerState(): void {
    const end = this.endOffset
    this.producers.deleteSnapshotsAfter(end)
    const snap = this.producers.loadLatestSnapshot(end)
    const from = Math.max(snap ?? 0, this.segments[0]!.baseOffset)
    if (from >= end) return
    for (let i = 0; i < this.segments.length; i++) {
      const seg = this.segments[i]!
      const next = this.segments[i + 1]
      if (next !== undefined && next.baseOffset <= from) continue
      let pos: number
      try {
        pos = seg.baseOffset >= from ? 0 : seg.findBatchPosition(from)
      } catch (err) {
        if (!(err instanceof CorruptRecordError)) throw err
        this.log.error(`corrupt:${this.name}`, `Producer state of ${this.name} skips ${seg.logFile}: ${err.message}`)
        continue
      }
      if (pos < 0) continue
      scanBatches(seg.fd, pos, seg.size, false, (buf, at) => {
        if (producerId(buf, at) >= 0 && batchBaseOffset(buf, at) >= from) this.producers.update(buf, at)
      })
    }
  }

  /** Rebuilds open and aborted transactions from the batch headers (logs that held transactional batches only). */
  private loadTransactions(): void {
    if (!this.txns.active) return
    this.txns.beginRebuild()
    for (const seg of this.segments) {
      if (seg.size === 0) continue
      scanBatches(seg.fd, 0, seg.size, false, (buf, at, pos, size) => {
        const attrs = buf.readInt16BE(at + ATTRIBUTES)
        if ((attrs & TRANSACTIONAL_MASK) === 0) return
        const end = batchBaseOffset(buf, at) + lastOffsetDelta(buf, at) + 1
        // A marker's control record is needed whole; data batches need only their header.
        if ((attrs & CONTROL_MASK) !== 0) this.txns.onBatch(seg.readBytes(pos, size), 0, seg.baseOffset, end)
        else this.txns.onBatch(buf, at, seg.baseOffset, end)
      })
    }
  }

  /** The first offset of the oldest open transaction, or the log end: read_committed reads stop here. */
  get lastStableOffset(): number {
    return this.txns.lastStableOffset(this.endOffset)
  }

  /** Aborted transactions overlapping [from, upTo), for read_committed fetches. */
  abortedTransactions(from: number, upTo: number): Array<{ producerId: number; firstOffset: number }> {
    return this.txns.abortedBetween(from, upTo)
  }

  /** Producers with an open transaction in this partition, and where each began. */
  openTransactions(): Array<{ producerId: number; firstOffset: number }> {
    return this.txns.openTransactions()
  }

  // ---- append ----------------------------------------------------------------

  /**
   * Validates and appends one or more concatenated v2 batches with a single
   * write. Offsets (and, for LogAppendTime, timestamps) are written into
   * `batches` in place. Throws before touching the log on any bad batch.
   */
  append(batches: Buffer, options: AppendOptions = {}): AppendResult {
    this.ensureOpen()
    const assign = options.assignOffsets ?? true
    const cfg = this.cfg
    const len = batches.length
    if (len === 0) throw new CorruptRecordError(`Empty produce data for ${this.name}`, 0)

    // Pass 1: framing, size, CRC, producer sequences. Nothing changes yet.
    let at = 0
    let count = 0
    let pending: Map<number, { epoch: number; lastSeq: number }> | null = null
    let duplicates: Array<{ firstOffset: number; lastOffset: number; maxTimestamp: number }> | null = null
    let expectedBase = this.endOffset
    let transactional = false
    while (at < len) {
      if (len - at < BATCH_HEADER_SIZE) {
        throw new CorruptRecordError(`Truncated record batch header at byte ${at} for ${this.name}`, at)
      }
      const length = batches.readInt32BE(at + BATCH_LENGTH)
      const size = LOG_OVERHEAD + length
      if (length < BATCH_HEADER_SIZE - LOG_OVERHEAD || at + size > len) {
        throw new CorruptRecordError(`Record batch at byte ${at} has bad length ${length} for ${this.name}`, at)
      }
      if (batches[at + MAGIC] !== 2) {
        throw new CorruptRecordError(`Record batch at byte ${at} has magic ${batches[at + MAGIC]}, expected 2`, at)
      }
      if (size > cfg.maxMessageBytes) throw new RecordTooLargeError(size, cfg.maxMessageBytes, this.name)
      if (options.crcComputed !== true && !isBatchCrcValid(batches, at, at + size)) {
        throw new CorruptRecordError(`Record batch at byte ${at} fails its CRC check for ${this.name}`, at)
      }
      const delta = lastOffsetDelta(batches, at)
      if (delta < 0 || batchRecordCount(batches, at) < 0) {
        throw new CorruptRecordError(`Record batch at byte ${at} has a negative offset delta or count`, at)
      }
      if (!assign) {
        const base = batchBaseOffset(batches, at)
        if (base < expectedBase) {
          throw new BrookError('INVALID_REQUEST', `Batch base offset ${base} is below the expected ${expectedBase} for ${this.name}`)
        }
        expectedBase = base + delta + 1
      }
      if ((batches.readInt16BE(at + ATTRIBUTES) & TRANSACTIONAL_MASK) !== 0) transactional = true
      if (producerId(batches, at) >= 0) {
        const check = this.producers.check(batches, at, pending)
        if (check.duplicate) {
          ;(duplicates ??= []).push(check.original)
        } else {
          pending ??= new Map()
          pending.set(producerId(batches, at), {
            epoch: producerEpoch(batches, at),
            lastSeq: lastSequenceOf(baseSequence(batches, at), delta),
          })
        }
      }
      count++
      at += size
    }
    if (duplicates !== null) {
      if (duplicates.length !== count) {
        throw new BrookError('DUPLICATE_SEQUENCE_NUMBER', `A produce for ${this.name} mixes duplicate and new batches`)
      }
      const first = duplicates[0]!
      const last = duplicates[duplicates.length - 1]!
      let recs = 0
      let maxTs = -1
      for (const d of duplicates) {
        recs += d.lastOffset - d.firstOffset + 1
        if (d.maxTimestamp > maxTs) maxTs = d.maxTimestamp
      }
      return { baseOffset: first.firstOffset, lastOffset: last.lastOffset, logAppendTime: -1, maxTimestamp: maxTs, recordCount: recs, duplicate: true }
    }

    // Pass 2: offsets and append-time timestamps, in place.
    const now = this.clock()
    const appendTime = assign && cfg.messageTimestampType === 'LogAppendTime'
    let next = this.endOffset
    let firstOffset = -1
    let maxTs = -1
    let records = 0
    at = 0
    while (at < len) {
      const size = LOG_OVERHEAD + batches.readInt32BE(at + BATCH_LENGTH)
      if (assign) setBaseOffset(batches, next, at)
      if (appendTime) {
        batches.writeInt16BE(batches.readInt16BE(at + ATTRIBUTES) | TIMESTAMP_TYPE_MASK, at + ATTRIBUTES)
        writeInt64(batches, at + MAX_TIMESTAMP, now)
        writeBatchCrc(batches, at, at + size)
      }
      const base = batchBaseOffset(batches, at)
      if (firstOffset < 0) firstOffset = base
      next = base + lastOffsetDelta(batches, at) + 1
      const ts = batchMaxTimestamp(batches, at)
      if (ts > maxTs) maxTs = ts
      records += batches.readInt32BE(at + RECORD_COUNT)
      at += size
    }
    const lastOffset = next - 1

    try {
      this.maybeRoll(len, firstOffset, lastOffset, maxTs, now)
      this.active.append(batches, cfg.indexIntervalBytes)
    } catch (err) {
      // Nothing of this append is in the log (the segment cut itself back): the producer may retry it.
      const storage = asStorageError(err, this.name)
      this.log.error(`storage:${this.name}`, `Append to ${this.name} failed: ${storage.message}`)
      throw storage
    }
    this.endOffset = next
    if (transactional) {
      at = 0
      while (at < len) {
        const size = LOG_OVERHEAD + batches.readInt32BE(at + BATCH_LENGTH)
        this.txns.onBatch(batches, at, this.active.baseOffset, batchBaseOffset(batches, at) + lastOffsetDelta(batches, at) + 1)
        at += size
      }
    }

    if (pending !== null) {
      at = 0
      while (at < len) {
        if (producerId(batches, at) >= 0) this.producers.update(batches, at)
        at += LOG_OVERHEAD + batches.readInt32BE(at + BATCH_LENGTH)
      }
    }
    this.stats.appends++
    this.unflushedMessages += records
    if (this.unflushedMessages >= cfg.flushMessages || now - this.lastFlushMs >= cfg.flushMs) this.requestFsync()
    return {
      baseOffset: firstOffset,
      lastOffset,
      logAppendTime: appendTime ? now : -1,
      maxTimestamp: maxTs,
      recordCount: records,
      duplicate: false,
    }
  }

  private maybeRoll(bytes: number, firstOffset: number, lastOffset: number, maxTs: number, now: number): void {
    const seg = this.active
    const cfg = this.cfg
    if (seg.size === 0) {
      if (lastOffset - seg.baseOffset <= INT32_MAX && firstOffset >= seg.baseOffset) return
      // An empty segment whose base cannot hold these offsets is replaced.
      this.segments.pop()
      seg.deleteFiles()
      this.segments.push(LogSegment.create(this.dir, firstOffset, cfg, now))
      return
    }
    const first = seg.firstBatchTimestamp
    const age = first !== null && first >= 0 ? maxTs - first : now - seg.createdMs
    if (
      seg.size + bytes > cfg.segmentBytes ||
      age >= cfg.segmentMs ||
      seg.index.isFull ||
      seg.timeIndex.isFull ||
      lastOffset - seg.baseOffset > INT32_MAX
    ) {
      this.roll(firstOffset, now)
    }
  }

  /** Closes the active segment for writes and starts a new one at `baseOffset`. */
  private roll(baseOffset: number, now = this.clock()): void {
    const old = this.active
    old.finishIndexes()
    this.segments.push(LogSegment.create(this.dir, baseOffset, this.cfg, now))
    this.dirDirty = true
    this.stats.rolls++
    this.producers.writeSnapshot(baseOffset)
    // Kafka flushes a rolled segment in the background so the recovery point can move on.
    this.requestFsync()
  }

  // ---- read ------------------------------------------------------------------

  /**
   * Whole batches starting with the one containing `offset`, up to `maxBytes`
   * (at least one batch), possibly across segments. Empty at the log end.
   * Each batch is CRC-checked; a corrupt first batch throws CorruptRecordError,
   * a corrupt later one ends the result before it.
   */
  read(offset: number, maxBytes: number, options: ReadOptions = {}): Buffer {
    try {
      return this.readOnce(offset, maxBytes, options)
    } catch (err) {
      const seg = this.damagedSegment(err)
      if (seg === null) throw err
      // Damage met for the first time: fence it off (index rebuilt, holes found and logged), then try again.
      if (err instanceof IndexMismatchError || seg.holes === null) this.repairSegment(seg, (err as Error).message)
      try {
        return this.readOnce(offset, maxBytes, options)
      } catch (again) {
        if (this.damagedSegment(again) !== seg) throw again
        const hole = seg.holeAt(offset)
        if (hole === null) throw again
        throw new CorruptRecordError(
          `Offset ${offset} of ${this.name} is in damaged data: ${seg.logFile} positions ${hole.position}..${hole.end} (${hole.reason}), offsets ${describeRange(hole)}`,
          hole.position,
        )
      }
    }
  }

  /**
   * After a read at `offset` failed on damaged data: the first offset after the damage
   * (where a reader that skips what is lost resumes), or offset + 1 when it is unknown.
   */
  offsetAfterDamage(offset: number): number {
    const seg = this.segments[this.segmentIndexFor(offset)]
    const hole = seg?.holeAt(offset) ?? null
    if (hole === null) return offset + 1
    if (hole.nextOffset >= 0) return Math.max(hole.nextOffset, offset + 1)
    const next = this.segments[this.segments.indexOf(seg!) + 1]
    return next === undefined ? this.endOffset : Math.max(next.baseOffset, offset + 1)
  }

  /** The segment a read error is about, when it is damage in one of this log's segments. */
  private damagedSegment(err: unknown): LogSegment | null {
    if (!(err instanceof SegmentCorruptError) && !(err instanceof IndexMismatchError)) return null
    return this.segments.includes(err.segment) ? err.segment : null
  }

  /** Rebuilds a segment's indexes from its data in place (never cutting anything) and reports what is damaged. */
  private repairSegment(seg: LogSegment, why: string): void {
    const i = this.segments.indexOf(seg)
    const next = this.segments[i + 1]
    this.log.warn(`index:${this.name}`, `Rebuilding the indexes of ${seg.logFile}: ${why}`)
    const result = seg.rebuild(this.cfg.indexIntervalBytes, { truncateTail: false, ...(next === undefined ? {} : { nextSegmentBase: next.baseOffset }) })
    this.stats.rebuiltIndexes++
    const trailing = result.holes.at(-1)
    if (seg === this.active && trailing !== undefined && trailing.nextOffset < 0) {
      // New appends must not land behind damage that reads cannot get past.
      trailing.nextOffset = this.endOffset
      if (seg.size > 0) this.roll(this.endOffset)
    }
    for (const h of result.holes) this.reportHole(seg, h)
    try {
      seg.saveIndexes()
    } catch (err) {
      this.log.error(`index:${this.name}`, `Could not write the rebuilt indexes of ${seg.logFile}`, err)
    }
  }

  private reportHole(seg: LogSegment, h: CorruptRange): void {
    this.log.error(
      `corrupt:${this.name}`,
      `Corrupt data in ${seg.logFile} at positions ${h.position}..${h.end} (${h.reason}): offsets ${describeRange(h)} of ${this.name} cannot be read; the bytes are kept in place`,
    )
  }

  private readOnce(offset: number, maxBytes: number, options: ReadOptions): Buffer {
    this.ensureOpen()
    if (offset < this.startOffset || offset > this.endOffset || !Number.isSafeInteger(offset)) {
      throw this.outOfRange(offset)
    }
    const maxOffset = Math.min(options.maxOffset ?? this.endOffset, this.endOffset)
    if (offset >= maxOffset) return EMPTY
    const holder = this.segments[this.segmentIndexFor(offset)]!
    if (holder.holes !== null && holder.holes.length > 0) {
      const hole = holder.holeAt(offset)
      if (hole !== null) throw holder.corrupt(`${hole.reason}; offsets ${describeRange(hole)} are unreadable`, hole.position)
    }
    const parts: Buffer[] = []
    let total = 0
    let target = offset
    for (let i = this.segmentIndexFor(offset); i < this.segments.length; i++) {
      const seg = this.segments[i]!
      const limit = seg.size
      if (limit === 0) continue
      const start = target > seg.baseOffset ? seg.findBatchPosition(target, limit) : 0
      target = -1
      if (start < 0) continue
      // One read of up to the remaining budget, straight into the buffer handed out.
      const want = Math.min(limit - start, Math.max(maxBytes - total, 0))
      let chunk = want >= BATCH_HEADER_SIZE ? seg.readBytes(start, want) : EMPTY
      let at = 0
      let stop = false
      let prevEnd = seg.baseOffset
      while (at + BATCH_HEADER_SIZE <= chunk.length) {
        const size = LOG_OVERHEAD + chunk.readInt32BE(at + BATCH_LENGTH)
        const base = batchBaseOffset(chunk, at)
        if (size < BATCH_HEADER_SIZE || base < prevEnd) {
          const why = size < BATCH_HEADER_SIZE ? `batch length ${size - LOG_OVERHEAD} too small` : `base offset ${base} out of order`
          if (total + at === 0) throw seg.corrupt(why, start + at)
          stop = true
          break
        }
        prevEnd = base + chunk.readInt32BE(at + LAST_OFFSET_DELTA) + 1
        if (at + size > chunk.length) break
        if (base >= maxOffset) {
          stop = true
          break
        }
        // Bit rot in a closed segment must never reach a consumer as data.
        if (chunk[at + MAGIC] !== 2 || !isBatchCrcValid(chunk, at, at + size)) {
          if (total + at === 0) throw seg.corrupt('CRC mismatch', start + at)
          stop = true
          break
        }
        at += size
      }
      if (at === 0 && total === 0 && !stop) {
        // The first batch is larger than maxBytes: it is returned whole anyway.
        chunk = this.readOneBatch(seg, start, limit)
        if (batchBaseOffset(chunk, 0) >= maxOffset) return EMPTY
        at = chunk.length
      }
      if (at > 0) {
        parts.push(at === chunk.length ? chunk : chunk.subarray(0, at))
        total += at
      }
      if (stop || start + at < limit || total >= maxBytes) break
    }
    if (parts.length === 0) return EMPTY
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total)
  }

  private readOneBatch(seg: LogSegment, position: number, limit: number): Buffer {
    if (limit - position < BATCH_HEADER_SIZE) throw seg.corrupt('truncated batch header', position)
    const size = LOG_OVERHEAD + seg.readBytes(position + BATCH_LENGTH, 4).readInt32BE(0)
    if (size < BATCH_HEADER_SIZE || position + size > limit) throw seg.corrupt(`bad batch length ${size - LOG_OVERHEAD}`, position)
    const batch = seg.readBytes(position, size)
    if (batch[MAGIC] !== 2 || !isBatchCrcValid(batch, 0, size)) throw seg.corrupt('CRC mismatch', position)
    return batch
  }

  /** Index of the segment that holds `offset` (the last one whose base is <= offset). */
  private segmentIndexFor(offset: number): number {
    let lo = 0
    let hi = this.segments.length - 1
    let found = 0
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (this.segments[mid]!.baseOffset <= offset) {
        found = mid
        lo = mid + 1
      } else {
        hi = mid - 1
      }
    }
    return found
  }

  /**
   * The first offset (at or after the log start) whose record timestamp is >= `timestamp`,
   * with that record's timestamp; null if every record is older.
   */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | null {
    this.ensureOpen()
    const logStart = this.startOffset
    for (let i = 0; i < this.segments.length; i++) {
      const seg = this.segments[i]!
      const next = this.segments[i + 1]
      if (seg.size === 0 || seg.maxTimestamp < timestamp) continue
      if (next !== undefined && next.baseOffset <= logStart) continue
      const hint = seg.timeIndex.lookupBefore(timestamp)
      const from = Math.max(hint === null ? seg.baseOffset : hint.offset + 1, logStart, seg.baseOffset)
      let pos = seg.findBatchPosition(from)
      while (pos >= 0 && pos < seg.size) {
        let found = -1
        let foundSize = 0
        scanBatches(seg.fd, pos, seg.size, false, (buf, at, p, size) => {
          const last = batchBaseOffset(buf, at) + lastOffsetDelta(buf, at)
          if (last >= logStart && batchMaxTimestamp(buf, at) >= timestamp) {
            found = p
            foundSize = size
            return false
          }
          return true
        })
        if (found < 0) break
        const batch = seg.readBytes(found, foundSize)
        if (!isBatchCrcValid(batch, 0, foundSize)) throw seg.corrupt('CRC mismatch', found)
        const hit = firstRecordAtOrAfter(batch, timestamp, logStart)
        if (hit !== null) return hit
        pos = found + foundSize
      }
    }
    return null
  }

  /**
   * KIP-734's MAX_TIMESTAMP: the first record carrying the largest timestamp in the log,
   * found from the segments' max timestamps (kept with the time index); null when no
   * record has a timestamp.
   */
  maxTimestampRecord(): { offset: number; timestamp: number } | null {
    this.ensureOpen()
    let best: LogSegment | null = null
    for (const seg of this.segments) {
      if (seg.size > 0 && seg.maxTimestamp >= 0 && (best === null || seg.maxTimestamp > best.maxTimestamp)) best = seg
    }
    if (best === null) return null
    const seg = best
    const target = seg.offsetOfMaxTimestamp
    const pos = seg.findBatchPosition(target)
    if (pos < 0) return null
    let found = -1
    let foundSize = 0
    scanBatches(seg.fd, pos, seg.size, false, (buf, at, p, size) => {
      if (batchBaseOffset(buf, at) + lastOffsetDelta(buf, at) < target) return true
      found = p
      foundSize = size
      return false
    })
    if (found < 0) return null
    const batch = seg.readBytes(found, foundSize)
    if (!isBatchCrcValid(batch, 0, foundSize)) throw seg.corrupt('CRC mismatch', found)
    return firstRecordAtOrAfter(batch, seg.maxTimestamp, 0)
  }

  // ---- flushing ----------------------------------------------------------------

  /** fsync-before-acknowledge is on for flush.messages=1: acks=all then waits for waitForFlush. */
  needsFlushOnAck(): boolean {
    return this.cfg.flushMessages === 1
  }

  /**
   * Resolves once every offset below `offset` (default: the log end) is on disk.
   * Concurrent callers share fdatasync calls (group commit).
   */
  waitForFlush(offset: number = this.endOffset): Promise<void> {
    const target = Math.min(offset, this.endOffset)
    if (target <= this.flushedOffset) return Promise.resolve()
    if (this.closed) return Promise.reject(new BrookError('CLOSED', `Log ${this.name} is closed`))
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ offset: target, resolve, reject })
      this.requestFsync()
    })
  }

  flush(): Promise<void> {
    return this.waitForFlush(this.endOffset)
  }

  private requestFsync(): void {
    if (this.closed) return
    if (this.fsyncRunning) {
      this.fsyncAgain = true
      return
    }
    this.runFsync()
  }

  private runFsync(): void {
    this.fsyncRunning = true
    this.fsyncAgain = false
    const target = this.endOffset
    const segs: LogSegment[] = []
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const s = this.segments[i]!
      segs.push(s)
      if (s.baseOffset <= this.flushedOffset) break
    }
    this.unflushedMessages = 0
    this.lastFlushMs = this.clock()
    const syncDir = this.dirDirty
    this.dirDirty = false
    const work = segs.map((s) =>
      s.fdatasync().catch((err: unknown) => {
        if (!s.isClosed) throw err // a segment deleted or replaced meanwhile needs no sync
      }),
    )
    Promise.all(work).then(
      () => {
        this.fsyncRunning = false
        if (this.closed) return
        if (syncDir) fsyncDir(this.dir)
        this.stats.fsyncs++
        if (target > this.flushedOffset) this.flushedOffset = target
        try {
          this.maybePersistRecoveryPoint()
        } catch {
          // The data is durable; an older recovery point only means a longer scan at open.
        }
        const still: Waiter[] = []
        for (const w of this.waiters) {
          if (w.offset <= this.flushedOffset) w.resolve()
          else still.push(w)
        }
        this.waiters = still
        if (still.length > 0 || (this.fsyncAgain && this.flushedOffset < this.endOffset)) this.runFsync()
      },
      (err: unknown) => {
        this.fsyncRunning = false
        if (this.closed) return
        const storage = asStorageError(err, this.name)
        this.log.error(`storage:${this.name}`, `fsync of ${this.name} failed: ${storage.message}`)
        const waiters = this.waiters
        this.waiters = []
        for (const w of waiters) w.reject(storage)
      },
    )
  }

  /** The checkpoint moves when the flushed offset reaches a newer segment (about once per roll). */
  private maybePersistRecoveryPoint(): void {
    const activeBase = this.active.baseOffset
    if (this.persistedRecoveryPoint < activeBase && this.flushedOffset >= activeBase) {
      this.persistedRecoveryPoint = this.flushedOffset
      this.writeCheckpointFile()
    }
  }

  private writeCheckpointFile(sync = true): void {
    const cp = { recoveryPoint: this.persistedRecoveryPoint, logStartOffset: this.startOffset }
    writeCheckpoint(this.dir, cp, sync)
    this.checkpointOnDisk = cp
  }

  private setupFlushTimer(): void {
    if (this.flushTimer !== null) clearInterval(this.flushTimer)
    this.flushTimer = null
    if (this.closed || this.cfg.flushMs >= LONG_MAX) return
    const period = Math.max(10, Math.min(this.cfg.flushMs, 1000))
    this.flushTimer = setInterval(() => {
      if (this.fsyncRunning || this.flushedOffset >= this.endOffset) return
      if (this.clock() - this.lastFlushMs >= this.cfg.flushMs) this.requestFsync()
    }, period)
    this.flushTimer.unref()
  }

  // ---- retention, delete records, compaction ------------------------------------

  /** DeleteRecords: moves the log start offset to `offset` and deletes segments wholly below it. */
  deleteRecordsBefore(offset: number): number {
    this.ensureOpen()
    if (!Number.isSafeInteger(offset) || offset > this.endOffset || offset < 0) throw this.outOfRange(offset)
    if (offset <= this.startOffset) return this.startOffset
    this.startOffset = offset
    if (offset >= this.endOffset && this.active.size > 0) this.roll(this.endOffset)
    this.deleteLeadingSegments(planRetention(this.retentionView(), { ...this.cfg, cleanupPolicy: 'compact' }, offset, 0).deleteCount)
    this.writeCheckpointFile()
    return this.startOffset
  }

  /** Deletes closed segments past retention.ms / retention.bytes (delete policy) or below the log start. */
  applyRetention(now: number = this.clock()): RetentionResult {
    this.ensureOpen()
    const plan = planRetention(this.retentionView(), this.cfg, this.startOffset, now)
    if (plan.deleteCount === 0) return { deletedSegments: 0, logStartOffset: this.startOffset }
    this.deleteLeadingSegments(plan.deleteCount)
    this.writeCheckpointFile()
    return { deletedSegments: plan.deleteCount, logStartOffset: this.startOffset }
  }

  private retentionView(): Array<{ baseOffset: number; size: number; largestTimestamp: number }> {
    return this.segments.map((s) => ({
      baseOffset: s.baseOffset,
      size: s.size,
      largestTimestamp: s.maxTimestamp >= 0 ? s.maxTimestamp : segmentMtime(s),
    }))
  }

  private deleteLeadingSegments(count: number): void {
    const n = Math.min(count, this.segments.length - 1)
    if (n <= 0) return
    const gone = this.segments.splice(0, n)
    for (const s of gone) s.deleteFiles()
    if (this.startOffset < this.segments[0]!.baseOffset) this.startOffset = this.segments[0]!.baseOffset
    this.txns.prune(this.startOffset, this.segments.map((s) => s.baseOffset))
  }

  /**
   * Compacts closed segments (cleanup.policy contains compact): keeps the latest
   * record per key, drops null keys, and keeps tombstones for delete.retention.ms
   * after their first cleaning. See cleaner/compactor.ts.
   */
  compact(now: number = this.clock()): CompactionStats {
    this.ensureOpen()
    const result = compactLog(
      {
        dir: this.dir,
        config: this.cfg,
        segments: this.segments,
        producers: this.producers,
        logStartOffset: this.startOffset,
        lastStableOffset: this.lastStableOffset,
        isAborted: this.txns.active ? (pid, offset) => this.txns.isAborted(pid, offset) : undefined,
      },
      now,
    )
    return result
  }

  // ---- lifecycle -------------------------------------------------------------------

  /**
   * Clean shutdown: flush, write indexes, producer snapshot, checkpoint and marker.
   * Every step is tried and every file closed even when one fails; the first failure
   * is thrown at the end (and no clean-shutdown marker is written, so the next open recovers).
   */
  close(): void {
    if (this.closed) return
    if (this.flushTimer !== null) clearInterval(this.flushTimer)
    this.flushTimer = null
    let failure: unknown = null
    const attempt = (step: () => void): void => {
      try {
        step()
      } catch (err) {
        failure ??= err
      }
    }
    // Only what was written since the last fsync needs one; an idle partition closes without any.
    for (const s of this.segments) {
      if (s.nextOffset > this.flushedOffset) attempt(() => s.fsyncNow())
    }
    for (const s of this.segments) {
      attempt(() => s.close(true))
      if (!s.isClosed) attempt(() => s.close(false))
    }
    // A partition nobody appended to since open already has its snapshot.
    if (this.stats.appends > 0 || !this.producers.hasSnapshotAt(this.endOffset)) attempt(() => this.producers.writeSnapshot(this.endOffset))
    if (failure === null) {
      this.flushedOffset = this.endOffset
      this.persistedRecoveryPoint = this.endOffset
      const onDisk = this.checkpointOnDisk
      if (onDisk === null || onDisk.recoveryPoint !== this.endOffset || onDisk.logStartOffset !== this.startOffset) attempt(() => this.writeCheckpointFile(false))
    }
    if (failure === null) attempt(() => writeCleanShutdownMarker(this.dir))
    if (this.dirDirty || failure !== null) fsyncDir(this.dir)
    this.closed = true
    if (failure === null) {
      for (const w of this.waiters) w.resolve()
    } else {
      const err = asStorageError(failure, this.name)
      for (const w of this.waiters) w.reject(err)
    }
    this.waiters = []
    if (failure !== null) throw asStorageError(failure, this.name)
  }

  /** Closes without a clean-shutdown marker or flush, as a crash would leave it (tests). */
  closeUnclean(): void {
    if (this.closed) return
    if (this.flushTimer !== null) clearInterval(this.flushTimer)
    this.closed = true
    for (const s of this.segments) s.close(false)
    const err = new BrookError('CLOSED', `Log ${this.name} is closed`)
    for (const w of this.waiters) w.reject(err)
    this.waiters = []
  }

  /** Closes and removes the whole partition folder. */
  delete(): void {
    if (!this.closed) {
      if (this.flushTimer !== null) clearInterval(this.flushTimer)
      this.closed = true
      for (const s of this.segments) s.close(false)
      const err = new BrookError('CLOSED', `Log ${this.name} was deleted`)
      for (const w of this.waiters) w.reject(err)
      this.waiters = []
    }
    fs.rmSync(this.dir, { recursive: true, force: true })
  }

  private ensureOpen(): void {
    if (this.closed) throw new BrookError('CLOSED', `Log ${this.name} is closed`)
  }

  private outOfRange(offset: number): OffsetOutOfRangeError {
    const m = /^(.*)-(\d+)$/.exec(this.name)
    return new OffsetOutOfRangeError(m?.[1] ?? this.name, m ? Number(m[2]) : -1, offset, this.startOffset, this.endOffset)
  }
}

function describeRange(h: CorruptRange): string {
  return h.nextOffset < 0 ? `${h.firstOffset} to the end of the segment` : `${h.firstOffset}..${h.nextOffset - 1}`
}

function segmentMtime(s: LogSegment): number {
  try {
    return fs.statSync(s.logFile).mtimeMs
  } catch {
    return s.createdMs
  }
}

/** First record of a (CRC-checked) batch with offset >= minOffset and timestamp >= ts. */
function firstRecordAtOrAfter(batch: Buffer, ts: number, minOffset: number): { offset: number; timestamp: number } | null {
  if (timestampType(batch, 0) === TimestampType.LogAppendTime) {
    const max = batchMaxTimestamp(batch, 0)
    if (max < ts) return null
    const base = batchBaseOffset(batch, 0)
    const last = base + lastOffsetDelta(batch, 0)
    if (last < minOffset || batchRecordCount(batch, 0) === 0) return null
    let offset = -1
    forEachRecord(batch, 0, (r) => {
      if (offset < 0 && r.offset >= minOffset) offset = r.offset
    })
    return offset < 0 ? null : { offset, timestamp: max }
  }
  let hit: { offset: number; timestamp: number } | null = null
  forEachRecord(batch, 0, (r) => {
    if (hit === null && r.offset >= minOffset && r.timestamp >= ts) hit = { offset: r.offset, timestamp: r.timestamp }
  })
  return hit
}
