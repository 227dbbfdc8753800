// Partition choice as the Java producer makes it: keyed records go to
// murmur2(key) mod partitions, so Brook and Java clients agree; records without
// a key stick to one partition per topic until a batch completes (KIP-480).
import { BrookError } from '../errors.js'
import { murmur2, murmur2Ascii, toPositive } from '../protocol/records/murmur2.js'
import { utf8Length, writeUtf8 } from '../protocol/records/utf8.js'

function checkPartitions(numPartitions: number): void {
  if (!Number.isInteger(numPartitions) || numPartitions <= 0) {
    throw new BrookError('INVALID_PARTITIONS', `Number of partitions must be a positive integer, got ${numPartitions}`, {
      field: 'numPartitions',
    })
  }
}

/** The partition of a keyed record: toPositive(murmur2(key)) % numPartitions. */
export function defaultPartition(key: Buffer, numPartitions: number): number {
  checkPartitions(numPartitions)
  return toPositive(murmur2(key)) % numPartitions
}

/** defaultPartition of the key bytes key[start, end), without a Buffer view of them. */
export function defaultPartitionOfRange(key: Buffer, start: number, end: number, numPartitions: number): number {
  checkPartitions(numPartitions)
  // Any hash modulo 1 is 0: a one-partition topic (a CDC table's topic) needs no hash.
  return numPartitions === 1 ? 0 : toPositive(murmur2(key, end - start, start)) % numPartitions
}

/** Scratch for text keys: their UTF-8 bytes are hashed here, not in a Buffer of their own. */
let textScratch = Buffer.allocUnsafe(256)

/** defaultPartition of a text key (its UTF-8 bytes), as Buffer.from(key) would place it. */
export function defaultPartitionOfText(key: string, numPartitions: number): number {
  checkPartitions(numPartitions)
  const ascii = murmur2Ascii(key)
  if (ascii !== null) return toPositive(ascii) % numPartitions
  const n = utf8Length(key)
  if (n > textScratch.length) textScratch = Buffer.allocUnsafe(Math.max(n, textScratch.length * 2))
  writeUtf8(key, textScratch, 0, n)
  return toPositive(murmur2(textScratch, n)) % numPartitions
}

interface StickyState {
  /** The partition null-keyed records go to, or -1 to choose one on the next record. */
  current: number
  /** The partition the last completed batch went to: avoided when choosing again. */
  previous: number
}

/**
 * Default partitioning with sticky choice for null keys. One instance per
 * producer; not shared between producers.
 */
export class StickyPartitioner {
  private readonly sticky = new Map<string, StickyState>()

  /** `random` returns [0, 1); injectable for tests. */
  constructor(private readonly random: () => number = Math.random) {}

  /**
   * Keyed records hash; null keys stick to one partition of the topic. When
   * `availablePartitions` (partitions with a leader) is given and non-empty the
   * sticky choice is made among them, as the Java client does.
   */
  partition(
    topic: string,
    key: Buffer | string | null,
    numPartitions: number,
    availablePartitions?: readonly number[],
  ): number {
    if (key !== null) return typeof key === 'string' ? defaultPartitionOfText(key, numPartitions) : defaultPartition(key, numPartitions)
    checkPartitions(numPartitions)
    let state = this.sticky.get(topic)
    if (state === undefined) {
      state = { current: -1, previous: -1 }
      this.sticky.set(topic, state)
    }
    const current = state.current
    if (
      current >= 0 &&
      current < numPartitions &&
      (availablePartitions === undefined ||
        availablePartitions.length === 0 ||
        availablePartitions.includes(current))
    ) {
      return current
    }
    state.current = this.choose(numPartitions, availablePartitions, state.previous)
    return state.current
  }

  /**
   * A batch for `topic` completed: the next null-keyed record picks another
   * partition. With `prevPartition`, only switches if that is still the sticky
   * one (another batch may have switched already).
   */
  onNewBatch(topic: string, prevPartition?: number): void {
    const state = this.sticky.get(topic)
    if (state === undefined || state.current < 0) return
    if (prevPartition !== undefined && prevPartition !== state.current) return
    state.previous = state.current
    state.current = -1
  }

  private choose(numPartitions: number, available: readonly number[] | undefined, avoid: number): number {
    const candidates = available !== undefined && available.length > 0 ? available : null
    const n = candidates === null ? numPartitions : candidates.length
    if (n === 1) return candidates === null ? 0 : candidates[0]!
    const pick = (i: number): number => (candidates === null ? i : candidates[i]!)
    let p = pick(Math.floor(this.random() * n) % n)
    if (p === avoid) {
      // Shift to a different candidate rather than retry: bounded and still uniform over the others.
      const i = Math.floor(this.random() * (n - 1)) % (n - 1)
      const idx = candidates === null ? avoid : candidates.indexOf(avoid)
      p = pick((idx + 1 + i) % n)
    }
    return p
  }
}
