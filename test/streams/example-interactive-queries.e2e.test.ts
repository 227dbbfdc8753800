// `npm run example:interactive-queries` (README): two instances, each endpoint answering for every
// word, from its own store or the other instance's.
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')

describe('npm run example:interactive-queries', () => {
  it('answers every word alike at both endpoints, each held by the instance whose partitions hold it', async () => {
    const { stdout } = await promisify(execFile)('npm', ['run', '-s', 'example:interactive-queries'], { cwd: root, timeout: 120_000 })
    // The example's five lines, counted here independently.
    const lines = ['Brook is a log', 'a log you can stream', 'stream the log, count the words', 'the words are counted', 'a log of logs']
    const expected = new Map<string, number>()
    for (const w of lines.flatMap((l) => l.toLowerCase().split(/\W+/).filter((x) => x.length > 0))) expected.set(w, (expected.get(w) ?? 0) + 1)
    const partitionsOf = new Map<string, number[]>()
    for (const m of stdout.matchAll(/^instance (a|b) at \S+: partitions ([\d,]+), standby of counts partitions ([\d,]+)$/gm)) {
      partitionsOf.set(m[1]!, m[2]!.split(',').map(Number))
      // Each keeps a replica of what the other processes.
      expect(m[3]!.split(',').map(Number).sort()).not.toEqual(m[2]!.split(',').map(Number).sort())
    }
    expect([...partitionsOf.keys()].sort()).toEqual(['a', 'b'])
    let words = 0
    for (const m of stdout.matchAll(/^ {2}(\S+)\s+(\d+) \(partition (\d+), held by (a|b); asked of a: (\d+), asked of b: (\d+)\)$/gm)) {
      const [, word, count, partition, holder, viaA, viaB] = m as unknown as [string, string, string, string, string, string, string]
      expect(Number(count), word).toBe(expected.get(word))
      expect(Number(viaA)).toBe(expected.get(word))
      expect(Number(viaB)).toBe(expected.get(word))
      expect(partitionsOf.get(holder)).toContain(Number(partition))
      words++
    }
    expect(words).toBe(expected.size)
  })
})
