// Reads one snapshot query's rows in batches of bounded size straight from the mysql2 query's
// row events (no object-mode stream: a stream costs a push and a read per row). Once `max` rows
// wait, the connection is paused: mysql2 then holds the packets it already read and the socket
// is no longer read, so the server waits instead of the table landing in memory. Taking a
// batch resumes it, so the next batch is read while the caller works on this one.

/** The part of mysql2's core connection this reader uses. */
export interface RowQueryConnection {
  query(options: { sql: string; rowsAsArray: boolean }): RowQuery
  pause(): void
  resume(): void
}

interface RowQuery {
  on(event: 'result', listener: (row: unknown[]) => void): RowQuery
  on(event: 'end', listener: () => void): RowQuery
  on(event: 'error', listener: (err: Error) => void): RowQuery
  off(event: 'result', listener: (row: unknown[]) => void): RowQuery
}

export class QueryRowReader {
  private readonly query: RowQuery
  private rows: unknown[][] = []
  private paused = false
  private ended = false
  private closed = false
  private error: Error | null = null
  private wake: (() => void) | null = null

  /** Runs `sql` (rows as arrays) on `conn`; batches hold up to `max` rows. */
  constructor(private readonly conn: RowQueryConnection, sql: string, private readonly max: number) {
    this.query = conn.query({ sql, rowsAsArray: true })
    this.query.on('result', this.onRow)
    this.query.on('end', () => {
      this.ended = true
      this.notify()
    })
    this.query.on('error', (err) => {
      if (!this.closed) this.error ??= err
      this.ended = true
      this.notify()
    })
  }

  private readonly onRow = (row: unknown[]): void => {
    this.rows.push(row)
    if (!this.paused && this.rows.length >= this.max) {
      this.paused = true
      this.conn.pause()
    }
    if (this.wake !== null) this.notify()
  }

  /** For tests: rows read and not yet handed out, and whether the connection is paused. */
  get buffered(): { rows: number; paused: boolean } {
    return { rows: this.rows.length, paused: this.paused }
  }

  /** Every row was read and handed out. */
  get done(): boolean {
    return this.ended && this.error === null && this.rows.length === 0
  }

  /**
   * The next batch of up to `limit` rows (at most max, the read-ahead), in the server's order;
   * null once every row was handed out.
   */
  async next(limit = this.max): Promise<unknown[][] | null> {
    const n = Math.min(limit, this.max)
    for (;;) {
      if (this.error !== null) throw this.error
      if (this.rows.length >= n || (this.ended && this.rows.length > 0)) {
        let batch: unknown[][]
        if (this.rows.length <= n) {
          batch = this.rows
          this.rows = []
        } else {
          batch = this.rows.slice(0, n)
          this.rows = this.rows.slice(n)
        }
        if (this.paused && this.rows.length < this.max) {
          this.paused = false
          this.conn.resume() // may deliver held rows at once (and pause again)
        }
        return batch
      }
      if (this.ended || this.closed) return null
      await new Promise<void>((resolve) => {
        this.wake = resolve
      })
    }
  }

  /**
   * Stops handing out rows: the query's remaining rows are read and dropped (the connection
   * resumes so it can finish the query and be closed).
   */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.query.off('result', this.onRow)
    this.rows = []
    if (this.paused) {
      this.paused = false
      this.conn.resume()
    }
    this.notify()
  }

  private notify(): void {
    const w = this.wake
    this.wake = null
    w?.()
  }
}
