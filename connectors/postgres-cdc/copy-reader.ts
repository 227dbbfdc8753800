// Reads one query's rows through COPY (...) TO STDOUT in batches of bounded size. The COPY
// stream (pg-copy-streams) is pull-based: once `max` rows wait, the stream is paused, its buffer
// fills to its high-water mark and the socket is no longer read, so the server waits instead of
// the table landing in memory. After a batch is taken the stream resumes, so the next batch is
// read while the caller works on this one.
//
// Rows wait as the decoded COPY text (their newlines counted) and are parsed only when a batch
// is taken: row objects are made just before the caller converts them, so they die young
// instead of outliving several batches in the read-ahead (which the garbage collector would
// copy and promote), and are still in the cache when converted.
import type pg from 'pg'
import { StringDecoder } from 'node:string_decoder'
import { to as copyTo } from 'pg-copy-streams'
import { CopyTextParser, type CopyField } from '../jdbc/postgres/copy-text.js'

export class CopyBatchReader<T> {
  private readonly stream: ReturnType<typeof copyTo>
  private readonly decoder = new StringDecoder('utf8')
  private readonly parser: CopyTextParser
  /** Rows parsed and not yet handed out. */
  private rows: T[] = []
  /** Decoded COPY text not yet parsed, the row ends in each piece, and in all of them. */
  private pending: string[] = []
  private pendingEnds: number[] = []
  private pendingRows = 0
  private ended = false
  private error: unknown = null
  private wake: (() => void) | null = null

  /**
   * `sql` is the COPY statement, `fields` how each column's field becomes its value, `build`
   * turns a row's values (a reused array) into one T; batches hold up to `max` rows.
   */
  constructor(client: pg.Client, sql: string, table: string, fields: readonly CopyField[], private readonly max: number, build: (values: unknown[]) => T) {
    this.parser = new CopyTextParser(table, fields, (v) => this.rows.push(build(v)))
    this.stream = client.query(copyTo(sql))
    this.stream.on('data', (chunk: Buffer) => {
      this.hold(this.decoder.write(chunk))
      if (this.rows.length + this.pendingRows >= this.max) this.stream.pause()
      this.notify()
    })
    this.stream.on('end', () => {
      this.hold(this.decoder.end())
      this.ended = true
      this.notify()
    })
    this.stream.on('error', (err: unknown) => this.fail(err))
  }

  /** Keeps decoded text for later parsing, counting the row ends in it. */
  private hold(text: string): void {
    if (text.length === 0) return
    let n = 0
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++
    this.pending.push(text)
    this.pendingEnds.push(n)
    this.pendingRows += n
  }

  /**
   * Parses held text until `n` rows are parsed or none is held (all of it once the input ended
   * and `n` is 0, so a last row without its line end is named).
   */
  private parse(n: number): void {
    const pending = this.pending
    let i = 0
    const all = this.ended && n === 0
    while ((all || this.rows.length < n) && i < pending.length) {
      this.parser.push(pending[i]!)
      this.pendingRows -= this.pendingEnds[i]!
      i++
    }
    if (i > 0) {
      this.pending = i === pending.length ? [] : pending.slice(i)
      this.pendingEnds = i === pending.length ? [] : this.pendingEnds.slice(i)
    }
    if (all) this.parser.end()
  }

  /** For tests: rows read and not yet handed out (parsed or not), and whether the COPY stream is paused. */
  get buffered(): { rows: number; paused: boolean } {
    return { rows: this.rows.length + this.pendingRows, paused: this.stream.isPaused() }
  }

  /** Every row was read and handed out. */
  get done(): boolean {
    return this.ended && this.rows.length === 0 && this.pending.length === 0 && !this.parser.incomplete
  }

  /**
   * The next batch of up to `limit` rows (at most max, the read-ahead); null once every row was
   * handed out.
   */
  async next(limit = this.max): Promise<T[] | null> {
    const n = Math.min(limit, this.max)
    for (;;) {
      if (this.error !== null) throw this.error
      if (this.rows.length + this.pendingRows >= n || (this.ended && this.rows.length + this.pendingRows > 0)) {
        try {
          this.parse(n)
        } catch (err) {
          this.fail(err)
          throw err
        }
        let batch: T[]
        if (this.rows.length <= n) {
          batch = this.rows
          this.rows = []
        } else {
          batch = this.rows.slice(0, n)
          this.rows = this.rows.slice(n)
        }
        if (!this.ended && this.rows.length + this.pendingRows < this.max) this.stream.resume()
        return batch
      }
      if (this.ended) {
        try {
          this.parse(0) // a last row without its line end is an error
        } catch (err) {
          this.fail(err)
          throw err
        }
        return null
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve
      })
    }
  }

  private fail(err: unknown): void {
    this.error ??= err
    this.stream.pause()
    this.notify()
  }

  private notify(): void {
    const w = this.wake
    this.wake = null
    w?.()
  }
}
