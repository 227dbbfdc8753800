// One topic partition on this broker: the log plus what the broker adds on top
// (acks, waking long-polling fetches). Single node, so the high watermark is the log end.
import type { AppendOptions, AppendResult, Log } from '../log/log.js'

export type AckMode = 0 | 1 | -1

const APPEND_DEFAULT: AppendOptions = {}
const CRC_COMPUTED: AppendOptions = { crcComputed: true }

export class Partition {
  private waiters = new Set<() => void>()

  constructor(
    readonly topic: string,
    readonly index: number,
    readonly log: Log,
  ) {}

  get highWatermark(): number {
    return this.log.logEndOffset
  }

  get logStartOffset(): number {
    return this.log.logStartOffset
  }

  /**
   * Appends wire-form batches; with acks=all waits for the fsync when the topic asks for durable
   * acks. `crcComputed`: see AppendOptions (only for batches this process just encoded).
   */
  async append(batches: Buffer, acks: AckMode, crcComputed = false): Promise<AppendResult> {
    const result = this.log.append(batches, crcComputed ? CRC_COMPUTED : APPEND_DEFAULT)
    if (!result.duplicate) this.wake()
    if (acks === -1 && this.log.needsFlushOnAck()) await this.log.waitForFlush(result.lastOffset + 1)
    return result
  }

  /** With `readCommitted`, only batches below the last stable offset. */
  read(offset: number, maxBytes: number, readCommitted = false): Buffer {
    return readCommitted ? this.log.read(offset, maxBytes, { maxOffset: this.log.lastStableOffset }) : this.log.read(offset, maxBytes)
  }

  get lastStableOffset(): number {
    return this.log.lastStableOffset
  }

  /** Calls `fn` once, on the next append (or when cancelled through the returned function). */
  onAppend(fn: () => void): () => void {
    const once = (): void => {
      this.waiters.delete(once)
      fn()
    }
    this.waiters.add(once)
    return () => this.waiters.delete(once)
  }

  private wake(): void {
    if (this.waiters.size === 0) return
    const ws = [...this.waiters]
    this.waiters.clear()
    for (const w of ws) w()
  }

  close(): void {
    this.wake()
    this.log.close()
  }
}
