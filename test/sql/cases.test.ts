// The data-driven suite: every folder under cases/ holds statements.sql, input.json (optional)
// and output.json in ksql-test-runner's formats; expected outputs are worked out from ksqlDB's
// documentation. Each case runs through `brook sql test`'s runner.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runTest } from '../../sql/testing/test-runner.js'

const dir = path.join(import.meta.dirname, 'cases')
const cases = fs.readdirSync(dir).filter((d) => fs.statSync(path.join(dir, d)).isDirectory()).sort()

describe('sql test-runner cases', () => {
  it.each(cases)('%s', async (name) => {
    const read = (f: string): string | null => (fs.existsSync(path.join(dir, name, f)) ? fs.readFileSync(path.join(dir, name, f), 'utf8') : null)
    const result = await runTest({ statements: read('statements.sql')!, input: read('input.json'), output: read('output.json')! })
    expect(result.failures).toEqual([])
    expect(result.passed).toBe(true)
  })
})
