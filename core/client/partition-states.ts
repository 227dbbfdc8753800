// What a consumer keeps per assigned partition (position, pause, fetched records not yet
// returned) and the bookkeeping both consumers share. A Map by topic-partition key.
import { BrookError } from '../errors.js'
import { tpKey } from './record-utils.js'
import type { FetchedRecords } from './consumer/fetched-records.js'
import type { ConsumerRecord, RecordView, TopicPartition } from './types.js'

export interface PartitionState {
  tp: TopicPartition
  /** The next offset poll returns; null until resolved from a commit or auto.offset.reset. */
  position: number | null
  paused: boolean
  /** Fetched records not returned yet (decoded as poll takes them); null when none. */
  fetched: FetchedRecords | null
  /** Fetch size for this partition when one batch outgrew maxPartitionFetchBytes (brokers before KIP-74 cut it). */
  fetchBytes?: number
}

export class PartitionStates extends Map<string, PartitionState> {
  of(tp: TopicPartition): PartitionState | undefined {
    return this.get(tpKey(tp.topic, tp.partition))
  }

  add(tp: TopicPartition): void {
    const k = tpKey(tp.topic, tp.partition)
    if (!this.has(k)) this.set(k, { tp: { topic: tp.topic, partition: tp.partition }, position: null, paused: false, fetched: null })
  }

  remove(tp: TopicPartition): void {
    this.delete(tpKey(tp.topic, tp.partition))
  }

  /** assign(): keeps the state of partitions still assigned, drops the others, adds the new ones. */
  retainOnly(partitions: TopicPartition[]): void {
    const keep = new Set(partitions.map((tp) => tpKey(tp.topic, tp.partition)))
    for (const k of [...this.keys()]) if (!keep.has(k)) this.delete(k)
    for (const tp of partitions) this.add(tp)
  }

  assignment(): TopicPartition[] {
    return [...this.values()].map((s) => ({ ...s.tp }))
  }

  require(tp: TopicPartition): PartitionState {
    const s = this.of(tp)
    if (!s) throw new BrookError('ILLEGAL_STATE', `Partition ${tp.topic}-${tp.partition} is not assigned to this consumer`)
    return s
  }

  /** The given partitions (each must be assigned), or all of them. */
  selected(partitions?: TopicPartition[]): PartitionState[] {
    return partitions ? partitions.map((tp) => this.require(tp)) : [...this.values()]
  }

  pause(partitions: TopicPartition[]): void {
    for (const tp of partitions) this.require(tp).paused = true
  }

  resume(partitions: TopicPartition[]): void {
    for (const tp of partitions) this.require(tp).paused = false
  }

  paused(): TopicPartition[] {
    return [...this.values()].filter((s) => s.paused).map((s) => ({ ...s.tp }))
  }

  /** Up to `max` buffered records of unpaused partitions, moving their positions past them. */
  drain(max: number): ConsumerRecord[] {
    const out: ConsumerRecord[] = []
    for (const s of this.values()) {
      if (s.paused || s.position === null) continue
      const f = s.fetched
      if (f === null) continue
      if (f.take(max - out.length, out) > 0) s.position = out[out.length - 1]!.offset + 1
      if (!f.hasMore) s.fetched = null
      if (out.length >= max) break
    }
    return out
  }

  /** drain() as views (FetchedRecords.visit): each partition's position moves past a record once it is visited. */
  drainInto(max: number, visit: (record: RecordView) => void): number {
    let n = 0
    for (const s of this.values()) {
      if (s.paused || s.position === null) continue
      const f = s.fetched
      if (f === null) continue
      n += f.visit(max - n, visit, (offset) => (s.position = offset + 1))
      if (!f.hasMore) s.fetched = null
      if (n >= max) break
    }
    return n
  }
}

/** Resolves true when `p` settles within ms, false otherwise or when `signal` aborts first; a rejection is rethrown. */
export async function raceTimeout(p: Promise<void>, ms: number, signal?: AbortSignal): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  let onAbort: (() => void) | undefined
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
    if (signal !== undefined) {
      onAbort = () => resolve(false)
      if (signal.aborted) onAbort()
      else signal.addEventListener('abort', onAbort)
    }
  })
  p.catch(() => undefined)
  try {
    return await Promise.race([p.then(() => true as const), timeout])
  } finally {
    clearTimeout(timer)
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort)
  }
}
