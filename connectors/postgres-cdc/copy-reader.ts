// Reads one query's rows through COPY (...) TO STDOUT in batches of bounded size. The COPY
// stream (pg-copy-streams) is pull-based: once a batch is full the stream is paused, its buffer
// fills to its high-water mark and the socket is no longer read, so the server waits instead of
// the table landing in memory. After a batch is taken the stream resumes, so the next batch is
// read while the caller works on this one.
import type pg from 'pg'
import { StringDecoder } from 'node:string_decoder'
import { to as copyTo } from 'pg-copy-streams'
import { CopyTextParser, type CopyField } from '../jdbc/postgres/copy-text.js'

export class CopyBatchReader<T> {
  private readonly stream: ReturnType<typeof copyTo>
  private readonly decoder = new StringDecoder('utf8')
  private readonly parser: CopyTextParser
  private rows: T[] = []
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
      try {
        this.parser.push(this.decoder.write(chunk))
      } catch (err) {
        this.fail(err)
        return
      }
      if (this.rows.length >= this.max) this.stream.pause()
      this.notify()
    })
    this.stream.on('end', () => {
      try {
        this.parser.end(this.decoder.end())
      } catch (err) {
        this.fail(err)
        return
      }
      this.ended = true
      this.notify()
    })
    this.stream.on('error', (err: unknown) => this.fail(err))
  }

  /** For tests: rows read and not yet handed out, and whether the COPY stream is paused. */
  get buffered(): { rows: number; paused: boolean } {
    return { rows: this.rows.length, paused: this.stream.isPaused() }
  }

  /** Every row was read and handed out. */
  get done(): boolean {
    return this.ended && this.rows.length === 0
  }

  /**
   * The next batch of up to `limit` rows (at most max, the read-ahead); null once every row was
   * handed out.
   */
  async next(limit = this.max): Promise<T[] | null> {
    const n = Math.min(limit, this.max)
    for (;;) {
      if (this.error !== null) throw this.error
      if (this.rows.length >= n || (this.ended && this.rows.length > 0)) {
        let batch: T[]
        if (this.rows.length <= n) {
          batch = this.rows
          this.rows = []
        } else {
          batch = this.rows.slice(0, n)
          this.rows = this.rows.slice(n)
        }
        if (!this.ended && this.rows.length < this.max) this.stream.resume()
        return batch
      }
      if (this.ended) return null
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
