// Idempotent producer state of one partition: per producer id the epoch and the
// metadata of its last 5 batches, enough to spot retries (duplicates) and gaps.
//
// Choices (Kafka 2.5+ behaviour):
// - An unknown producer id is accepted with any sequence: its state may have
//   been lost to retention/expiry and the client cannot be told apart from a new one.
// - A new (higher) epoch must start at sequence 0.
// - Batches without a sequence (baseSequence -1, e.g. transaction markers) only
//   update the epoch.
// State survives restarts via `<offset>.snapshot` files (JSON, written to a
// temp file then renamed); batches after the snapshot are replayed from headers.
import fs from 'node:fs'
import path from 'node:path'
import { BrookError } from '../errors.js'
import {
  baseOffset as batchBaseOffset,
  baseSequence,
  lastOffsetDelta,
  maxTimestamp as batchMaxTimestamp,
  producerEpoch,
  producerId,
} from '../protocol/records/batch-header.js'
import { offsetFileName, parseOffsetFileName } from './segment.js'

export const SNAPSHOT_SUFFIX = '.snapshot'
/** Kafka keeps metadata of the last 5 batches per producer (max.in.flight.requests.per.connection). */
export const PRODUCER_BATCH_HISTORY = 5
const INT32_MAX = 2147483647

export interface BatchMetadata {
  firstSeq: number
  lastSeq: number
  firstOffset: number
  lastOffset: number
  maxTimestamp: number
}

export interface ProducerEntry {
  producerId: number
  epoch: number
  /** Oldest first, at most PRODUCER_BATCH_HISTORY. */
  batches: BatchMetadata[]
}

/** The outcome of checking one batch: append it, or answer with the original offsets. */
export type SequenceCheck = { duplicate: false } | { duplicate: true; original: BatchMetadata }

/** The sequence of the last record of a batch, wrapping at int32 like Kafka. */
export function lastSequenceOf(baseSeq: number, lastDelta: number): number {
  if (baseSeq < 0) return baseSeq
  return baseSeq > INT32_MAX - lastDelta ? lastDelta - (INT32_MAX - baseSeq) - 1 : baseSeq + lastDelta
}

export function nextSequence(seq: number): number {
  return seq === INT32_MAX ? 0 : seq + 1
}

export class ProducerStateManager {
  private readonly producers = new Map<number, ProducerEntry>()

  constructor(private readonly dir: string) {}

  get size(): number {
    return this.producers.size
  }

  entry(id: number): ProducerEntry | undefined {
    return this.producers.get(id)
  }

  entries(): IterableIterator<ProducerEntry> {
    return this.producers.values()
  }

  /**
   * Checks the batch at `at` against the known state plus `pending` (earlier
   * batches of the same append). Throws INVALID_PRODUCER_EPOCH or
   * OUT_OF_ORDER_SEQUENCE_NUMBER; never changes state.
   */
  check(buf: Buffer, at: number, pending: Map<number, { epoch: number; lastSeq: number }> | null): SequenceCheck {
    const id = producerId(buf, at)
    const epoch = producerEpoch(buf, at)
    const firstSeq = baseSequence(buf, at)
    const known = this.producers.get(id)
    const pend = pending?.get(id)
    const currentEpoch = pend?.epoch ?? known?.epoch
    if (currentEpoch === undefined) return { duplicate: false }
    if (epoch < currentEpoch) {
      throw new BrookError(
        'INVALID_PRODUCER_EPOCH',
        `Producer ${id} epoch ${epoch} is older than the current epoch ${currentEpoch}`,
        { field: 'producerEpoch' },
      )
    }
    if (firstSeq < 0) return { duplicate: false }
    if (epoch > currentEpoch) {
      if (firstSeq !== 0) {
        throw new BrookError(
          'OUT_OF_ORDER_SEQUENCE_NUMBER',
          `Producer ${id} new epoch ${epoch} must start at sequence 0, got ${firstSeq}`,
          { field: 'baseSequence' },
        )
      }
      return { duplicate: false }
    }
    const lastSeq = lastSequenceOf(firstSeq, lastOffsetDelta(buf, at))
    if (pend === undefined && known !== undefined) {
      for (const b of known.batches) {
        if (b.firstSeq === firstSeq && b.lastSeq === lastSeq) return { duplicate: true, original: b }
      }
    }
    const prevSeq = pend?.lastSeq ?? known?.batches[known.batches.length - 1]?.lastSeq
    if (prevSeq === undefined || prevSeq < 0) return { duplicate: false }
    if (firstSeq !== nextSequence(prevSeq)) {
      throw new BrookError(
        'OUT_OF_ORDER_SEQUENCE_NUMBER',
        `Producer ${id} epoch ${epoch}: expected sequence ${nextSequence(prevSeq)}, got ${firstSeq}`,
        { field: 'baseSequence' },
      )
    }
    return { duplicate: false }
  }

  /** Records a batch that is now in the log (append, or replay at open). */
  update(buf: Buffer, at: number): void {
    const id = producerId(buf, at)
    if (id < 0) return
    const epoch = producerEpoch(buf, at)
    const firstSeq = baseSequence(buf, at)
    const first = batchBaseOffset(buf, at)
    const delta = lastOffsetDelta(buf, at)
    this.record(id, epoch, {
      firstSeq,
      lastSeq: lastSequenceOf(firstSeq, delta),
      firstOffset: first,
      lastOffset: first + delta,
      maxTimestamp: batchMaxTimestamp(buf, at),
    })
  }

  private record(id: number, epoch: number, meta: BatchMetadata): void {
    let entry = this.producers.get(id)
    if (entry === undefined) {
      entry = { producerId: id, epoch, batches: [] }
      this.producers.set(id, entry)
    }
    if (epoch !== entry.epoch) {
      entry.epoch = epoch
      entry.batches = []
    }
    if (meta.firstSeq < 0) return
    entry.batches.push(meta)
    if (entry.batches.length > PRODUCER_BATCH_HISTORY) entry.batches.shift()
  }

  clear(): void {
    this.producers.clear()
  }

  /** True if the batch ending at `lastOffset` is the newest one known for producer `id`. */
  isLastBatchOf(id: number, lastOffset: number): boolean {
    const entry = this.producers.get(id)
    const last = entry?.batches[entry.batches.length - 1]
    return last !== undefined && last.lastOffset === lastOffset
  }

  // ---- snapshots ----------------------------------------------------------

  /** Offsets of the snapshot files in the folder, ascending. */
  listSnapshots(): number[] {
    const out: number[] = []
    for (const name of fs.readdirSync(this.dir)) {
      const off = parseOffsetFileName(name, SNAPSHOT_SUFFIX)
      if (off !== null) out.push(off)
    }
    return out.sort((a, b) => a - b)
  }

  /** Writes the state as of `offset` (everything below it is included); keeps the newest `keep` snapshots. */
  writeSnapshot(offset: number, keep = 3): void {
    const file = path.join(this.dir, offsetFileName(offset, SNAPSHOT_SUFFIX))
    const body = JSON.stringify({
      version: 1,
      offset,
      producers: [...this.producers.values()].map((p) => ({
        id: p.producerId,
        epoch: p.epoch,
        batches: p.batches.map((b) => [b.firstSeq, b.lastSeq, b.firstOffset, b.lastOffset, b.maxTimestamp]),
      })),
    })
    const tmp = `${file}.tmp`
    fs.writeFileSync(tmp, body)
    fs.renameSync(tmp, file)
    const all = this.listSnapshots()
    for (const old of all.slice(0, Math.max(0, all.length - keep))) this.deleteSnapshot(old)
  }

  hasSnapshotAt(offset: number): boolean {
    return fs.existsSync(path.join(this.dir, offsetFileName(offset, SNAPSHOT_SUFFIX)))
  }

  deleteSnapshot(offset: number): void {
    fs.rmSync(path.join(this.dir, offsetFileName(offset, SNAPSHOT_SUFFIX)), { force: true })
  }

  /** Deletes snapshots past `offset` (after a truncation they describe data that is gone). */
  deleteSnapshotsAfter(offset: number): void {
    for (const s of this.listSnapshots()) if (s > offset) this.deleteSnapshot(s)
  }

  /**
   * Loads the newest readable snapshot at or below `maxOffset`; returns its
   * offset (replay starts there) or null when there is none.
   */
  loadLatestSnapshot(maxOffset: number): number | null {
    const all = this.listSnapshots().filter((o) => o <= maxOffset)
    for (let i = all.length - 1; i >= 0; i--) {
      const offset = all[i]!
      const loaded = this.readSnapshot(offset)
      if (loaded) return offset
      this.deleteSnapshot(offset)
    }
    return null
  }

  private readSnapshot(offset: number): boolean {
    try {
      const raw = fs.readFileSync(path.join(this.dir, offsetFileName(offset, SNAPSHOT_SUFFIX)), 'utf8')
      const parsed = JSON.parse(raw) as {
        version: number
        offset: number
        producers: Array<{ id: number; epoch: number; batches: number[][] }>
      }
      if (parsed.version !== 1 || parsed.offset !== offset || !Array.isArray(parsed.producers)) return false
      const next = new Map<number, ProducerEntry>()
      for (const p of parsed.producers) {
        const batches = p.batches.map(([firstSeq, lastSeq, firstOffset, lastOffset, maxTimestamp]) => {
          const meta = { firstSeq, lastSeq, firstOffset, lastOffset, maxTimestamp }
          if (Object.values(meta).some((v) => !Number.isSafeInteger(v))) throw new Error('bad snapshot entry')
          return meta as BatchMetadata
        })
        if (!Number.isSafeInteger(p.id) || !Number.isSafeInteger(p.epoch)) return false
        next.set(p.id, { producerId: p.id, epoch: p.epoch, batches })
      }
      this.producers.clear()
      for (const [k, v] of next) this.producers.set(k, v)
      return true
    } catch {
      return false
    }
  }
}
