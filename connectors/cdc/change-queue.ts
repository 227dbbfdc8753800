// The bounded queue between a change stream (replication, binlog) and the worker's poll(), as
// Debezium's ChangeEventQueue: at most max.queue.size records wait; when it is full the stream
// is paused (onFull) and resumed (onSpace) once poll() took enough to fall below the bound.
// Records are taken in batches of up to max.batch.size. A stream delivers what it already
// decoded before the pause takes hold, so the queue may pass the bound by that much.

export interface ChangeQueueOptions {
  /** max.queue.size: records queued before the stream is paused. */
  maxSize: number
  onFull(): void
  onSpace(): void
}

export class ChangeQueue<T> {
  private items: T[] = []
  private head = 0
  /** Records pushed / taken since creation: a record's position tells whether it was taken. */
  private pushedCount = 0
  private full = false
  private high = 0
  private waiter: (() => void) | null = null

  constructor(private readonly options: ChangeQueueOptions) {}

  get size(): number {
    return this.items.length - this.head
  }

  /** The most records ever queued at once. */
  get highWater(): number {
    return this.high
  }

  /** Whether the stream is paused because the queue is full. */
  get paused(): boolean {
    return this.full
  }

  /** Appends a record; returns its position (see `taken`). Pauses the stream at the bound. */
  push(item: T): number {
    this.items.push(item)
    const pos = this.pushedCount++
    if (this.size > this.high) this.high = this.size
    if (!this.full && this.size >= this.options.maxSize) {
      this.full = true
      this.options.onFull()
    }
    this.waiter?.()
    return pos
  }

  /** Whether the record pushed at `position` was handed out by take(). */
  taken(position: number): boolean {
    return position < this.pushedCount - this.size
  }

  /** The record at `position` while it is still queued, else undefined. */
  peek(position: number): T | undefined {
    if (this.taken(position) || position >= this.pushedCount) return undefined
    return this.items[this.head + (position - (this.pushedCount - this.size))]
  }

  /** Removes and returns up to `max` records, oldest first; resumes the stream below the bound. */
  take(max: number): T[] {
    const n = Math.min(max, this.size)
    const out = this.items.slice(this.head, this.head + n)
    this.head += n
    if (this.head === this.items.length) {
      this.items = []
      this.head = 0
    } else if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    if (this.full && this.size < this.options.maxSize) {
      this.full = false
      this.options.onSpace()
    }
    return out
  }

  /** Drops everything queued (the stream restarts from the stored position). */
  clear(): void {
    // Positions stay monotonic: dropped records count as taken.
    this.head = this.items.length
    this.take(0)
  }

  /** Resolves when a record is queued, after `ms`, or when the signal aborts. */
  wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.size > 0 || signal.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        this.waiter = null
        resolve()
      }
      const timer = setTimeout(done, ms)
      signal.addEventListener('abort', done, { once: true })
      this.waiter = done
    })
  }

  /** Wakes a pending wait() (e.g. the stream failed). */
  wake(): void {
    this.waiter?.()
  }
}
