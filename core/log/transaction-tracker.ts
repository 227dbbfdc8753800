// A partition's transactions (KIP-98): which producers have a transaction open here and
// from which offset (the last stable offset is the first of those, or the log end), and
// the aborted transactions a read_committed consumer must skip, kept per segment in
// `<base>.txnindex` files in Kafka's layout (version int16, producerId int64,
// firstOffset int64, lastOffset int64, lastStableOffset int64: 34 bytes an entry).
//
// The state is rebuilt when the log opens by scanning its batch headers, only for logs
// that ever held a transactional batch (a `transactional` marker file says so); the
// .txnindex files are rewritten from that scan, so a torn write cannot leave them wrong.
import fs from 'node:fs'
import path from 'node:path'
import {
  ATTRIBUTES,
  CONTROL_MASK,
  RECORDS,
  TRANSACTIONAL_MASK,
  baseOffset,
  lastOffsetDelta,
  producerId,
  readInt64,
  writeInt64,
} from '../protocol/records/batch-header.js'
import { encodeRecordBatch } from '../protocol/records/record-batch.js'
import { offsetFileName, parseOffsetFileName } from './segment.js'

export const TXN_INDEX_SUFFIX = '.txnindex'
const MARKER_FILE = 'transactional'
const ENTRY_SIZE = 34

export interface AbortedTxn {
  producerId: number
  firstOffset: number
  lastOffset: number
  lastStableOffset: number
}

/** Control record types (the key's second int16). */
export const ControlRecordType = { ABORT: 0, COMMIT: 1 } as const

/**
 * The type of the control record in an uncompressed control batch starting at `at`
 * (markers are never compressed): record length, attributes, timestamp delta and offset
 * delta varints, then the key length varint and the key (version int16, type int16).
 */
export function controlRecordType(buf: Buffer, at: number): number {
  let pos = at + RECORDS
  pos = skipVarint(buf, pos) // record length
  pos += 1 // attributes
  pos = skipVarint(buf, pos) // timestamp delta
  pos = skipVarint(buf, pos) // offset delta
  pos = skipVarint(buf, pos) // key length (4)
  if (pos + 4 > buf.length) return -1
  return buf.readInt16BE(pos + 2)
}

/**
 * A control batch with one marker record: key (version 0, type), value EndTxnMarker
 * (version 0, coordinatorEpoch int32); attributes control + transactional, no sequence.
 */
export function encodeControlRecord(producerId: number, producerEpoch: number, commit: boolean, coordinatorEpoch: number, timestamp: number): Buffer {
  const key = Buffer.alloc(4)
  key.writeInt16BE(0, 0)
  key.writeInt16BE(commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, 2)
  const value = Buffer.alloc(6)
  value.writeInt16BE(0, 0)
  value.writeInt32BE(coordinatorEpoch, 2)
  return encodeRecordBatch([{ key, value, timestamp }], { producerId, producerEpoch, baseSequence: -1, transactional: true, isControl: true })
}

function skipVarint(buf: Buffer, pos: number): number {
  while (pos < buf.length && (buf[pos]! & 0x80) !== 0) pos++
  return pos + 1
}

export class TransactionTracker {
  /** Producer id -> first offset of its open transaction in this partition. */
  private readonly ongoing = new Map<number, number>()
  /** Ordered by lastOffset (the marker's offset). */
  private aborted: AbortedTxn[] = []
  private enabled: boolean

  constructor(private readonly dir: string) {
    this.enabled = fs.existsSync(path.join(dir, MARKER_FILE))
  }

  /** True once this log has held a transactional batch: its state must be rebuilt at open. */
  get active(): boolean {
    return this.enabled
  }

  /** Resets before a rebuild; the scan then feeds every transactional batch to onBatch. */
  beginRebuild(): void {
    this.ongoing.clear()
    this.aborted = []
    for (const name of fs.readdirSync(this.dir)) {
      if (parseOffsetFileName(name, TXN_INDEX_SUFFIX) !== null) fs.rmSync(path.join(this.dir, name), { force: true })
    }
  }

  /**
   * A transactional batch now in the log (`at` in `buf`, which for control batches must
   * hold the whole batch), stored in the segment based at `segmentBase`; `logEnd` is the
   * offset after it.
   */
  onBatch(buf: Buffer, at: number, segmentBase: number, logEnd: number): void {
    const attrs = buf.readInt16BE(at + ATTRIBUTES)
    if ((attrs & TRANSACTIONAL_MASK) === 0) return
    if (!this.enabled) {
      this.enabled = true
      fs.writeFileSync(path.join(this.dir, MARKER_FILE), '')
    }
    const pid = producerId(buf, at)
    const base = baseOffset(buf, at)
    if ((attrs & CONTROL_MASK) === 0) {
      if (!this.ongoing.has(pid)) this.ongoing.set(pid, base)
      return
    }
    const first = this.ongoing.get(pid)
    this.ongoing.delete(pid)
    if (first === undefined || controlRecordType(buf, at) !== ControlRecordType.ABORT) return
    const entry = { producerId: pid, firstOffset: first, lastOffset: base + lastOffsetDelta(buf, at), lastStableOffset: this.lastStableOffset(logEnd) }
    this.aborted.push(entry)
    const b = Buffer.allocUnsafe(ENTRY_SIZE)
    b.writeInt16BE(0, 0)
    writeInt64(b, 2, entry.producerId)
    writeInt64(b, 10, entry.firstOffset)
    writeInt64(b, 18, entry.lastOffset)
    writeInt64(b, 26, entry.lastStableOffset)
    fs.appendFileSync(path.join(this.dir, offsetFileName(segmentBase, TXN_INDEX_SUFFIX)), b)
  }

  /** The first offset of the oldest open transaction, or `highWatermark` when none is open. */
  lastStableOffset(highWatermark: number): number {
    let lso = highWatermark
    for (const first of this.ongoing.values()) if (first < lso) lso = first
    return lso
  }

  /** Producers with a transaction open here and where it began. */
  openTransactions(): Array<{ producerId: number; firstOffset: number }> {
    return [...this.ongoing].map(([pid, first]) => ({ producerId: pid, firstOffset: first }))
  }

  /** Aborted transactions overlapping [from, upTo): what a read_committed fetch of that range must filter. */
  abortedBetween(from: number, upTo: number): Array<{ producerId: number; firstOffset: number }> {
    const out: Array<{ producerId: number; firstOffset: number }> = []
    // Entries are ordered by lastOffset: skip those ending before `from`.
    let lo = 0
    let hi = this.aborted.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.aborted[mid]!.lastOffset < from) lo = mid + 1
      else hi = mid
    }
    for (let i = lo; i < this.aborted.length; i++) {
      const a = this.aborted[i]!
      if (a.firstOffset < upTo) out.push({ producerId: a.producerId, firstOffset: a.firstOffset })
    }
    return out
  }

  /** True when `offset` of producer `producerId` lies in one of its aborted transactions. */
  isAborted(producerId: number, offset: number): boolean {
    for (const a of this.aborted) if (a.producerId === producerId && a.firstOffset <= offset && offset <= a.lastOffset) return true
    return false
  }

  /** Forgets aborted transactions wholly below the log start and the index files of deleted segments. */
  prune(logStartOffset: number, segmentBases: readonly number[]): void {
    if (!this.enabled) return
    this.aborted = this.aborted.filter((a) => a.lastOffset >= logStartOffset)
    const live = new Set(segmentBases)
    for (const name of fs.readdirSync(this.dir)) {
      const base = parseOffsetFileName(name, TXN_INDEX_SUFFIX)
      if (base !== null && !live.has(base)) fs.rmSync(path.join(this.dir, name), { force: true })
    }
  }

  /** Reads a .txnindex file (tests, tools). */
  static readIndexFile(file: string): AbortedTxn[] {
    const buf = fs.readFileSync(file)
    const out: AbortedTxn[] = []
    for (let at = 0; at + ENTRY_SIZE <= buf.length; at += ENTRY_SIZE) {
      out.push({
        producerId: readInt64(buf, at + 2),
        firstOffset: readInt64(buf, at + 10),
        lastOffset: readInt64(buf, at + 18),
        lastStableOffset: readInt64(buf, at + 26),
      })
    }
    return out
  }
}
