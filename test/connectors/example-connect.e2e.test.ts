// `npm run example:connect` (README): a SQLite table streamed by a JDBC source, filtered by a
// streams step and upserted by a JDBC sink into a second SQLite file, run as the README says.
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')

describe('npm run example:connect', () => {
  it('copies every order of 200 or more into the report table, tiered, with both connectors RUNNING', async () => {
    const { stdout } = await promisify(execFile)('npm', ['run', '-s', 'example:connect'], { cwd: root, timeout: 120_000 })
    const m = /report\.sqlite big_orders: (\d+) rows \(orders >= 200 in shop\.sqlite: (\d+)\)/.exec(stdout)
    expect(m, stdout).not.toBeNull()
    // The shop's orders have amounts (id * 37) % 250 + 0.99 for ids 1..200: count those of 200 or more here, independently.
    const expected = Array.from({ length: 200 }, (_, i) => ((i + 1) * 37) % 250 + 0.99).filter((a) => a >= 200).length
    expect(Number(m![1])).toBe(expected)
    expect(Number(m![2])).toBe(expected)
    expect(stdout).toMatch(/"tier":"(gold|silver)"/)
    expect(stdout).toContain('status: "RUNNING" "RUNNING"')
  })
})
