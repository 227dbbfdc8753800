// CopyBatchReader over a stand-in COPY stream: rows parsed only when a batch is taken come out
// whole and in order however the bytes are split (inside UTF-8 characters too), the read-ahead
// pauses the stream at `max` rows, and malformed text is named by next().
import { PassThrough } from 'node:stream'
import type pg from 'pg'
import { describe, expect, it } from 'vitest'
import { DataException } from '../../connectors/errors.js'
import { TEXT_FIELD } from '../../connectors/jdbc/postgres/copy-text.js'
import { CopyBatchReader } from '../../connectors/postgres-cdc/copy-reader.js'

/** A pg client whose query() hands back `stream` as the COPY stream. */
function fakeClient(stream: PassThrough): pg.Client {
  return { query: () => stream } as unknown as pg.Client
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r))

function reader(stream: PassThrough, max: number): CopyBatchReader<string> {
  return new CopyBatchReader(fakeClient(stream), 'COPY t TO STDOUT', 't', [TEXT_FIELD, TEXT_FIELD], max, (v) => `${String(v[0])}|${String(v[1])}`)
}

async function drain(r: CopyBatchReader<string>, limit: number): Promise<string[]> {
  const out: string[] = []
  for (let b = await r.next(limit); b !== null; b = await r.next(limit)) {
    expect(b.length).toBeLessThanOrEqual(limit)
    out.push(...b)
    if (r.done) break
  }
  return out
}

describe('CopyBatchReader', () => {
  const rows = Array.from({ length: 50 }, (_, i) => `${i}|grüße-${i}-日本`)
  const bytes = Buffer.from(rows.map((r) => `${r.replace('|', '\t')}\n`).join(''))

  it('hands out every row in order in batches of at most the limit, however the bytes are split', async () => {
    for (const cut of [1, 7, 13, 64, bytes.length]) {
      const s = new PassThrough()
      const r = reader(s, 1000)
      for (let o = 0; o < bytes.length; o += cut) s.write(bytes.subarray(o, o + cut))
      s.end()
      expect(await drain(r, 9)).toEqual(rows)
      expect(r.done).toBe(true)
      expect(await r.next()).toBeNull()
    }
  })

  it('counts rows read ahead before they are parsed and pauses the stream at max', async () => {
    const s = new PassThrough()
    const r = reader(s, 10)
    s.write(bytes)
    await tick()
    expect(r.buffered).toEqual({ rows: 50, paused: true })
    const first = await r.next(4)
    expect(first).toEqual(rows.slice(0, 4))
    s.end()
    expect([...(first ?? []), ...(await drain(r, 4))]).toEqual(rows)
  })

  it('names a malformed row and a last row without its line end', async () => {
    const bad = new PassThrough()
    const r1 = reader(bad, 100)
    bad.end(Buffer.from('1\ta\n2\tb\tc\n'))
    await expect(r1.next()).rejects.toThrow(DataException)
    await expect(r1.next()).rejects.toThrow(/row 2: more than 2 columns/)

    const cut = new PassThrough()
    const r2 = reader(cut, 100)
    cut.end(Buffer.from('1\ta\n2\tb'))
    expect(await r2.next()).toEqual(['1|a'])
    await expect(r2.next()).rejects.toThrow(/row 2: incomplete last row/)
  })
})
