// QueryRowReader: bounded batches from a mysql2 query's row events, with the connection paused
// while a full batch waits, its end, its error, and close() mid-query.
import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { QueryRowReader, type RowQueryConnection } from '../../connectors/mysql-cdc/snapshot-rows.js'

/**
 * A connection whose query delivers rows 1..n in bursts of 3, each burst on a later turn, and
 * holds them (as mysql2 holds packets) while paused.
 */
class FakeConnection implements RowQueryConnection {
  paused = false
  pauses = 0
  maxHeld = 0
  readonly query_ = new EventEmitter()
  private next = 1
  private scheduled = false

  constructor(private readonly n: number, private readonly failAt = -1) {}

  query(): ReturnType<RowQueryConnection['query']> {
    this.schedule()
    return this.query_ as unknown as ReturnType<RowQueryConnection['query']>
  }

  pause(): void {
    this.paused = true
    this.pauses++
  }

  resume(): void {
    this.paused = false
    this.schedule()
  }

  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      for (let k = 0; k < 3 && !this.paused && this.next <= this.n; k++) {
        if (this.next === this.failAt) {
          this.query_.emit('error', new Error(`row ${this.failAt} broke`))
          return
        }
        this.query_.emit('result', [this.next++])
      }
      if (this.next > this.n) this.query_.emit('end')
      else if (!this.paused) this.schedule()
    })
  }
}

describe('QueryRowReader', () => {
  it('hands out batches of at most max rows in order, pauses the connection while a full batch waits, then null', async () => {
    const conn = new FakeConnection(23)
    const r = new QueryRowReader(conn, 'SELECT 1', 5)
    const got: number[] = []
    const sizes: number[] = []
    for (;;) {
      // Let the query run ahead until it waits on us (paused with a full batch, or ended): never more than a batch held.
      while (!r.buffered.paused && r.buffered.rows < 5 && got.length + r.buffered.rows < 23) await new Promise((res) => setImmediate(res))
      expect(r.buffered.rows).toBeLessThanOrEqual(5)
      const batch = await r.next()
      if (batch === null) break
      sizes.push(batch.length)
      for (const row of batch) got.push(row[0] as number)
    }
    expect(got).toEqual(Array.from({ length: 23 }, (_, i) => i + 1))
    expect(sizes.every((s) => s <= 5)).toBe(true)
    expect(conn.pauses).toBeGreaterThan(0)
    expect(r.done).toBe(true)
    expect(await r.next()).toBeNull()
  })

  it('batches smaller than the read-ahead: next(limit) hands out at most limit rows while up to max are read ahead', async () => {
    const conn = new FakeConnection(30)
    const r = new QueryRowReader(conn, 'SELECT 1', 9)
    const got: number[] = []
    for (let b = await r.next(4); b !== null; b = await r.next(4)) {
      expect(b.length).toBeLessThanOrEqual(4)
      expect(r.buffered.rows).toBeLessThanOrEqual(9)
      for (const row of b) got.push(row[0] as number)
    }
    expect(got).toEqual(Array.from({ length: 30 }, (_, i) => i + 1))
  })

  it('a query that ends on a batch boundary gives null next', async () => {
    const r = new QueryRowReader(new FakeConnection(10), 'SELECT 1', 5)
    const batches: number[] = []
    for (let b = await r.next(); b !== null; b = await r.next()) batches.push(b.length)
    expect(batches.reduce((a, n) => a + n, 0)).toBe(10)
  })

  it('rejects with the query error', async () => {
    const r = new QueryRowReader(new FakeConnection(20, 8), 'SELECT 1', 100)
    await expect(r.next()).rejects.toThrow('row 8 broke')
  })

  it('close() mid-query drops what is held and resumes the connection so the query can finish', async () => {
    const conn = new FakeConnection(50)
    const r = new QueryRowReader(conn, 'SELECT 1', 4)
    expect((await r.next())!.length).toBe(4)
    // The query runs ahead until a full batch waits, then the connection is paused.
    while (!conn.paused) await new Promise((res) => setImmediate(res))
    expect(r.buffered).toEqual({ rows: 4, paused: true })
    r.close()
    expect(conn.paused).toBe(false)
    expect(r.buffered.rows).toBe(0)
    expect(await r.next()).toBeNull()
    await new Promise<void>((res) => conn.query_.once('end', () => res()))
  })
})
