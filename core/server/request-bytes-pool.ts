// queued.max.request.bytes: the request bytes all connections together may hold while
// they are read and wait to be handled (partial frames and frames queued behind
// max.in.flight). A connection that would take the pool past its size stops reading
// until bytes are released, as Kafka mutes channels when its memory pool is exhausted.

export interface PoolMember {
  /** Reading may go on: the pool has room again. */
  poolResumed(): void
}

export class RequestBytesPool {
  private used = 0
  private readonly waiting = new Set<PoolMember>()

  /** `limit` < 0: unbounded. */
  constructor(readonly limit: number) {}

  get usedBytes(): number {
    return this.used
  }

  /** True while there is room; a member told false waits for poolResumed. */
  hasRoom(member: PoolMember): boolean {
    if (this.limit < 0 || this.used < this.limit) return true
    this.waiting.add(member)
    return false
  }

  add(n: number): void {
    this.used += n
  }

  release(n: number): void {
    this.used -= n
    if (this.waiting.size === 0 || (this.limit >= 0 && this.used >= this.limit)) return
    const ws = [...this.waiting]
    this.waiting.clear()
    for (const w of ws) w.poolResumed()
  }

  forget(member: PoolMember): void {
    this.waiting.delete(member)
  }
}
