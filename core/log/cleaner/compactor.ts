// Compaction (cleanup.policy=compact): rewrites the closed segments keeping the
// latest record per key. Offsets keep their gaps: each rewritten batch keeps its
// base offset, last offset delta, producer id/epoch/sequence and compression.
//
// Tombstones (null values) follow KIP-534: the first cleaning that keeps a
// tombstone stamps its batch with a delete horizon (attribute bit 6, horizon
// in baseTimestamp) = now + delete.retention.ms; a later cleaning after the
// horizon drops them. Records with null keys are dropped.
//
// A batch left without records is dropped, except (as an empty batch) when it
// is its producer's newest batch (needed to rebuild producer state) or the last
// batch of a rewritten group (so the cleaned file ends where the group did,
// which swap recovery relies on).
//
// Swap protocol per group of segments with base B:
//   write B.log.cleaned, fsync -> rename to B.log.swap (commit point) ->
//   delete the group's other segments -> rename B.log.swap over B.log ->
//   rebuild B's indexes. Open deletes *.cleaned and finishes any *.swap.
import fs from 'node:fs'
import path from 'node:path'
import { CorruptRecordError } from '../../errors.js'
import {
  ATTRIBUTES,
  BASE_TIMESTAMP,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH,
  COMPRESSION_MASK,
  DELETE_HORIZON_MASK,
  LOG_OVERHEAD,
  MAX_TIMESTAMP,
  RECORD_COUNT,
  TimestampType,
  attributes,
  baseOffset as batchBaseOffset,
  baseSequence,
  baseTimestamp,
  compressionType,
  isControl,
  isTransactional,
  lastOffsetDelta,
  maxTimestamp as batchMaxTimestamp,
  PARTITION_LEADER_EPOCH,
  producerEpoch,
  producerId,
  timestampType,
  writeInt64,
} from '../../protocol/records/batch-header.js'
import { writeBatchCrc } from '../../protocol/records/crc32c.js'
import { type DecodedRecord, RecordBatchBuilder, forEachRecord } from '../../protocol/records/record-batch.js'
import { fsyncDir } from '../checkpoint.js'
import type { LogConfig } from '../log-config.js'
import type { ProducerStateManager } from '../producer-state.js'
import { LOG_SUFFIX, INDEX_SUFFIX, LogSegment, TIME_INDEX_SUFFIX, offsetFileName, parseOffsetFileName, scanBatches } from '../segment.js'

export interface CompactionStats {
  /** Old segments rewritten in this pass. */
  segmentsCleaned: number
  recordsRemoved: number
  bytesBefore: number
  bytesAfter: number
}

/** What the compactor needs from the Log; `segments` is the Log's own array and is updated in place. */
export interface CompactionTarget {
  dir: string
  config: LogConfig
  segments: LogSegment[]
  producers: ProducerStateManager
  logStartOffset: number
  /** Offsets at or past this belong to open transactions (or the log end): never cleaned. */
  lastStableOffset?: number
  /** True for a transactional batch of an aborted transaction: its records never count as a key's latest and are removed. */
  isAborted?: (producerId: number, offset: number) => boolean
}

export const CLEANER_CHECKPOINT_FILE = 'cleaner.checkpoint'
const INT32_MAX = 2147483647
const NONE: CompactionStats = { segmentsCleaned: 0, recordsRemoved: 0, bytesBefore: 0, bytesAfter: 0 }

interface CleanerState {
  /** Offsets below this were compacted before. */
  firstDirtyOffset: number
  /** Earliest delete horizon of a kept tombstone batch, or null if none. */
  minDeleteHorizon: number | null
}

function readCleanerState(dir: string): CleanerState {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, CLEANER_CHECKPOINT_FILE), 'utf8')) as CleanerState
    if (Number.isSafeInteger(parsed.firstDirtyOffset)) return parsed
  } catch {
    // missing or unreadable: everything counts as dirty
  }
  return { firstDirtyOffset: 0, minDeleteHorizon: null }
}

function writeCleanerState(dir: string, state: CleanerState): void {
  const file = path.join(dir, CLEANER_CHECKPOINT_FILE)
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(state))
  fs.renameSync(`${file}.tmp`, file)
}

/** The key as a Map key: latin1 maps bytes 1:1 to chars. */
const keyString = (key: Buffer): string => key.toString('latin1')

/** Runs one compaction pass over the closed segments of the log. */
export function compactLog(target: CompactionTarget, now: number): CompactionStats {
  const cfg = target.config
  if (!cfg.cleanupPolicy.includes('compact')) return NONE
  const segments = target.segments
  // Cleanable: closed segments, stopping at the first one younger than min.compaction.lag.ms.
  let end = 0
  while (end < segments.length - 1) {
    const s = segments[end]!
    if (cfg.minCompactionLagMs > 0 && s.maxTimestamp > now - cfg.minCompactionLagMs) break
    // Records of open transactions stay as they are until their transaction ends.
    if (target.lastStableOffset !== undefined && s.nextOffset > target.lastStableOffset) break
    end++
  }
  if (end === 0) return NONE
  const cleanable = segments.slice(0, end)
  const state = readCleanerState(target.dir)
  let total = 0
  let dirty = 0
  for (const s of cleanable) {
    total += s.size
    if (s.nextOffset > state.firstDirtyOffset) dirty += s.size
  }
  const horizonDue = state.minDeleteHorizon !== null && state.minDeleteHorizon <= now
  if (!horizonDue && (dirty === 0 || total === 0 || dirty / total < cfg.minCleanableDirtyRatio)) return NONE

  // Pass 1: latest offset of every key in the cleanable range.
  const latest = new Map<string, number>()
  for (const seg of cleanable) {
    const res = scanBatches(seg.fd, 0, seg.size, true, (buf, at) => {
      if (isControl(buf, at)) return
      if (abortedBatch(target, buf, at)) return
      forEachRecord(buf, at, (r) => {
        if (r.key !== null) latest.set(keyString(r.key), r.offset)
      })
    })
    if (res.problem !== null) throw seg.corrupt(res.problem, res.end)
  }

  // Pass 2: rewrite group by group.
  const stats: CompactionStats = { segmentsCleaned: 0, recordsRemoved: 0, bytesBefore: 0, bytesAfter: 0 }
  let minHorizon: number | null = null
  let i = 0
  while (i < cleanable.length) {
    const groupStart = i
    let size = cleanable[i]!.size
    i++
    while (
      i < cleanable.length &&
      size + cleanable[i]!.size <= cfg.segmentBytes &&
      cleanable[i]!.nextOffset - 1 - cleanable[groupStart]!.baseOffset <= INT32_MAX
    ) {
      size += cleanable[i]!.size
      i++
    }
    const group = cleanable.slice(groupStart, i)
    const result = cleanGroup(target, group, latest, now)
    if (result.changed || group.length > 1) stats.segmentsCleaned += group.length
    stats.recordsRemoved += result.recordsRemoved
    stats.bytesBefore += result.bytesBefore
    stats.bytesAfter += result.bytesAfter
    if (result.minHorizon !== null && (minHorizon === null || result.minHorizon < minHorizon)) minHorizon = result.minHorizon
  }
  writeCleanerState(target.dir, { firstDirtyOffset: cleanable[cleanable.length - 1]!.nextOffset, minDeleteHorizon: minHorizon })
  return stats
}

/** Writes out batches in chunks of about 1 MB. */
class ChunkWriter {
  private parts: Buffer[] = []
  private pending = 0
  position = 0
  constructor(private readonly fd: number) {}
  write(buf: Buffer): void {
    this.parts.push(Buffer.from(buf))
    this.pending += buf.length
    if (this.pending >= 1 << 20) this.flush()
  }
  flush(): void {
    if (this.pending === 0) return
    const data = Buffer.concat(this.parts, this.pending)
    let done = 0
    while (done < data.length) done += fs.writeSync(this.fd, data, done, data.length - done, this.position + done)
    this.position += data.length
    this.parts = []
    this.pending = 0
  }
}

interface GroupResult {
  /** False when every batch came through unchanged: the group is left as it is. */
  changed: boolean
  recordsRemoved: number
  bytesBefore: number
  bytesAfter: number
  minHorizon: number | null
}

function cleanGroup(target: CompactionTarget, group: LogSegment[], latest: Map<string, number>, now: number): GroupResult {
  const dir = target.dir
  const base = group[0]!.baseOffset
  const cleanedFile = path.join(dir, offsetFileName(base, `${LOG_SUFFIX}.cleaned`))
  const swapFile = path.join(dir, offsetFileName(base, `${LOG_SUFFIX}.swap`))
  const fd = fs.openSync(cleanedFile, 'w')
  const out = new ChunkWriter(fd)
  const res: GroupResult = { changed: false, recordsRemoved: 0, bytesBefore: 0, bytesAfter: 0, minHorizon: null }
  const builder = new RecordBatchBuilder()
  const retentionMs = target.config.deleteRetentionMs
  try {
    for (let g = 0; g < group.length; g++) {
      const seg = group[g]!
      res.bytesBefore += seg.size
      const lastSegment = g === group.length - 1
      const scan = scanBatches(seg.fd, 0, seg.size, true, (buf, at, position, size) => {
        const isLastBatch = lastSegment && position + size === seg.size
        const written = cleanBatch(buf, at, size, latest, now, retentionMs, target.producers, isLastBatch, builder, res, target.isAborted)
        if (written !== null) out.write(written)
      })
      if (scan.problem !== null) throw seg.corrupt(scan.problem, scan.end)
    }
    out.flush()
    fs.fdatasyncSync(fd)
  } catch (err) {
    fs.closeSync(fd)
    fs.rmSync(cleanedFile, { force: true })
    throw err
  }
  fs.closeSync(fd)
  res.bytesAfter = out.position
  if (!res.changed && group.length === 1) {
    fs.rmSync(cleanedFile, { force: true })
    return res
  }

  // Commit, then replace the old segments.
  fs.renameSync(cleanedFile, swapFile)
  fsyncDir(dir)
  for (const seg of group.slice(1)) seg.deleteFiles()
  const first = group[0]!
  first.close(false)
  fs.rmSync(first.indexFile, { force: true })
  fs.rmSync(first.timeIndexFile, { force: true })
  fs.renameSync(swapFile, first.logFile)
  fsyncDir(dir)
  const { segment } = LogSegment.open(dir, base, target.config, now)
  segment.recover(target.config.indexIntervalBytes)
  segment.finishIndexes()
  const at = target.segments.indexOf(first)
  target.segments.splice(at, group.length, segment)
  return res
}

/**
 * The cleaned form of one batch: the same bytes when nothing changes, a rebuilt
 * batch when records go or tombstones need a horizon, an empty batch when it must
 * stay for producer state or the group end, or null to drop it.
 */
function cleanBatch(
  buf: Buffer,
  at: number,
  size: number,
  latest: Map<string, number>,
  now: number,
  deleteRetentionMs: number,
  producers: ProducerStateManager,
  isLastBatch: boolean,
  builder: RecordBatchBuilder,
  res: GroupResult,
  aborts?: (producerId: number, offset: number) => boolean,
): Buffer | null {
  const batch = buf.subarray(at, at + size)
  if (isControl(batch, 0)) return batch
  const attrs = attributes(batch, 0)
  // An aborted transaction's records go; the latest map never points at them.
  const aborted = isTransactional(batch, 0) && aborts !== undefined && aborts(producerId(batch, 0), batchBaseOffset(batch, 0))
  const horizon = (attrs & DELETE_HORIZON_MASK) !== 0 ? baseTimestamp(batch, 0) : null
  const kept: DecodedRecord[] = []
  let total = 0
  let tombstones = 0
  forEachRecord(batch, 0, (r) => {
    total++
    if (r.key === null || aborted) return
    if (latest.get(keyString(r.key)) !== r.offset) return
    if (r.value === null) {
      if (horizon !== null && horizon <= now) return
      tombstones++
    }
    kept.push(r)
  })
  res.recordsRemoved += total - kept.length
  const newHorizon = tombstones > 0 ? (horizon ?? now + deleteRetentionMs) : null
  if (newHorizon !== null && (res.minHorizon === null || newHorizon < res.minHorizon)) res.minHorizon = newHorizon
  if (kept.length === total && newHorizon === horizon) return batch
  res.changed = true

  const pid = producerId(batch, 0)
  const lastOffset = batchBaseOffset(batch, 0) + lastOffsetDelta(batch, 0)
  if (kept.length === 0) {
    if (!isLastBatch && !(pid >= 0 && producers.isLastBatchOf(pid, lastOffset))) return null
    return emptyBatch(batch)
  }
  const baseOffset = batchBaseOffset(batch, 0)
  builder.reset({
    baseOffset,
    compression: compressionType(batch, 0),
    producerId: pid,
    producerEpoch: producerEpoch(batch, 0),
    baseSequence: baseSequence(batch, 0),
    transactional: isTransactional(batch, 0),
    timestampType: timestampType(batch, 0),
    partitionLeaderEpoch: batch.readInt32BE(PARTITION_LEADER_EPOCH),
    ...(newHorizon === null ? {} : { deleteHorizonMs: newHorizon }),
  })
  for (const r of kept) {
    builder.appendWithOffsetDelta(r.offset - baseOffset, { key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })
  }
  builder.setLastOffsetDelta(lastOffsetDelta(batch, 0))
  const rebuilt = builder.build()
  // Keep the batch's max timestamp (time index, retention, LogAppendTime).
  writeInt64(rebuilt, MAX_TIMESTAMP, batchMaxTimestamp(batch, 0))
  writeBatchCrc(rebuilt, 0, rebuilt.length)
  if (rebuilt.length > LOG_OVERHEAD + rebuilt.readInt32BE(BATCH_LENGTH)) throw new CorruptRecordError('rebuilt batch size mismatch', 0)
  return rebuilt
}

/** The header alone: no records, no compression, same offsets and producer fields. */
function emptyBatch(batch: Buffer): Buffer {
  const out = Buffer.from(batch.subarray(0, BATCH_HEADER_SIZE))
  out.writeInt32BE(BATCH_HEADER_SIZE - LOG_OVERHEAD, BATCH_LENGTH)
  out.writeInt16BE(attributes(out, 0) & ~COMPRESSION_MASK & ~DELETE_HORIZON_MASK, ATTRIBUTES)
  out.writeInt32BE(0, RECORD_COUNT)
  if (timestampType(out, 0) === TimestampType.CreateTime) writeInt64(out, BASE_TIMESTAMP, batchMaxTimestamp(out, 0))
  writeBatchCrc(out, 0, out.length)
  return out
}

/**
 * Finishes compactions interrupted after their commit point (a B.log.swap
 * exists): removes the replaced segments and moves the swap file into place;
 * the indexes are rebuilt when the log opens. Uncommitted *.cleaned files are
 * removed by the caller.
 */
export function recoverSwapFiles(dir: string): void {
  const names = fs.readdirSync(dir)
  const swapSuffix = `${LOG_SUFFIX}.swap`
  const swaps = names
    .map((n) => parseOffsetFileName(n, swapSuffix))
    .filter((b): b is number => b !== null)
    .sort((a, b) => a - b)
  for (const name of names) {
    // Index swaps are never committed on their own.
    if (name.endsWith(`${INDEX_SUFFIX}.swap`) || name.endsWith(`${TIME_INDEX_SUFFIX}.swap`)) fs.rmSync(path.join(dir, name), { force: true })
  }
  if (swaps.length === 0) return
  const bases = names.map((n) => parseOffsetFileName(n, LOG_SUFFIX)).filter((b): b is number => b !== null)
  for (const base of swaps) {
    const swapFile = path.join(dir, offsetFileName(base, swapSuffix))
    const fd = fs.openSync(swapFile, 'r')
    let next = base
    try {
      const size = fs.fstatSync(fd).size
      scanBatches(fd, 0, size, false, (buf, at) => {
        const last = batchBaseOffset(buf, at) + lastOffsetDelta(buf, at)
        if (last + 1 > next) next = last + 1
      })
    } finally {
      fs.closeSync(fd)
    }
    for (const b of bases) {
      if (b > base && b < next) {
        for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) fs.rmSync(path.join(dir, offsetFileName(b, suffix)), { force: true })
      }
    }
    fs.rmSync(path.join(dir, offsetFileName(base, INDEX_SUFFIX)), { force: true })
    fs.rmSync(path.join(dir, offsetFileName(base, TIME_INDEX_SUFFIX)), { force: true })
    fs.renameSync(swapFile, path.join(dir, offsetFileName(base, LOG_SUFFIX)))
  }
  fsyncDir(dir)
}

/** A transactional data batch of an aborted transaction. */
function abortedBatch(target: CompactionTarget, buf: Buffer, at: number): boolean {
  return target.isAborted !== undefined && isTransactional(buf, at) && target.isAborted(producerId(buf, at), batchBaseOffset(buf, at))
}
