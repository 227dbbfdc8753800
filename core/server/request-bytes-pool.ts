// queued.max.request.bytes: the request bytes all connections together may hold while
// they are read and wait to be handled (partial frames and frames queued behind
// max.in.flight). Once the pool is full every connection stops reading until bytes are
// released, as Kafka mutes all channels when its memory pool is exhausted; a connection
// that opens meanwhile starts muted.

export interface PoolMember {
  /** The pool is full: stop reading. */
  poolPause(): void
  /** The pool has room again: reading may go on. */
  poolResumed(): void
}

export class RequestBytesPool {
  private used = 0
  private full = false
  private readonly members = new Set<PoolMember>()

  /** `limit` < 0: unbounded. */
  constructor(readonly limit: number) {}

  get usedBytes(): number {
    return this.used
  }

  get isFull(): boolean {
    return this.full
  }

  register(member: PoolMember): void {
    this.members.add(member)
    if (this.full) member.poolPause()
  }

  unregister(member: PoolMember): void {
    this.members.delete(member)
  }

  add(n: number): void {
    this.used += n
    if (this.full || this.limit < 0 || this.used < this.limit) return
    this.full = true
    for (const m of this.members) m.poolPause()
  }

  release(n: number): void {
    this.used -= n
    if (!this.full || this.used >= this.limit) return
    this.full = false
    for (const m of [...this.members]) m.poolResumed()
  }
}
