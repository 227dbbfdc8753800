import { describe, expect, it } from 'vitest'
import { BrookError } from '../../../core/errors.js'
import { StickyPartitioner, defaultPartition, defaultPartitionOfText } from '../../../core/client/partitioner.js'

// Partitions as the Java client's BuiltInPartitioner computes them, derived by hand
// from the Java-verified murmur2 values (UtilsTest): toPositive(h) % n.
const cases: [key: string, partitionsOf3: number, partitionsOf6: number][] = [
  ['21', 0, 0], // toPositive(-973932308) = 1173551340
  ['foobar', 0, 0], // 1357151166
  ['abc', 0, 3], // 479470107
  ['a-little-bit-long-string', 2, 2], // 1161502112
  ['a-little-bit-longer-string', 2, 5], // 661178819
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', 2, 5], // 2088585677
]

describe('defaultPartition', () => {
  it('places a text key where its UTF-8 bytes go', () => {
    for (const key of ['', 'a', 'word', 'déjà vu', '東京', '😀 smile', 'lone \udc00', 'x'.repeat(1000)]) {
      for (const n of [1, 3, 7, 64]) expect(defaultPartitionOfText(key, n), key).toBe(defaultPartition(Buffer.from(key), n))
    }
    expect(new StickyPartitioner().partition('t', 'word', 5)).toBe(defaultPartition(Buffer.from('word'), 5))
  })

  it.each(cases)('places key %j like the Java client', (key, p3, p6) => {
    expect(defaultPartition(Buffer.from(key), 3)).toBe(p3)
    expect(defaultPartition(Buffer.from(key), 6)).toBe(p6)
    expect(defaultPartition(Buffer.from(key), 1)).toBe(0)
  })

  it('rejects a non-positive partition count', () => {
    expect(() => defaultPartition(Buffer.from('k'), 0)).toThrow(BrookError)
    expect(() => defaultPartition(Buffer.from('k'), 2.5)).toThrow(/positive integer/)
  })
})

describe('StickyPartitioner', () => {
  it('hashes keyed records regardless of stickiness', () => {
    const p = new StickyPartitioner(() => 0.99)
    expect(p.partition('t', Buffer.from('a-little-bit-longer-string'), 6)).toBe(5)
    expect(p.partition('t', Buffer.from('abc'), 6)).toBe(3)
  })

  it('sticks to one partition for null keys until a batch completes', () => {
    const rolls = [0.5, 0.5, 0.0, 0.9]
    const p = new StickyPartitioner(() => rolls.shift() ?? 0)
    const first = p.partition('t', null, 4)
    expect(first).toBe(2)
    for (let i = 0; i < 10; i++) expect(p.partition('t', null, 4)).toBe(first)
    p.onNewBatch('t')
    // 0.5 again would pick 2: the previous partition is avoided, another one is picked.
    const second = p.partition('t', null, 4)
    expect(second).not.toBe(first)
    expect(p.partition('t', null, 4)).toBe(second)
  })

  it('keeps per-topic choices independent', () => {
    const rolls = [0.1, 0.9]
    const p = new StickyPartitioner(() => rolls.shift() ?? 0)
    expect(p.partition('a', null, 10)).toBe(1)
    expect(p.partition('b', null, 10)).toBe(9)
    p.onNewBatch('b')
    expect(p.partition('a', null, 10)).toBe(1)
  })

  it('ignores onNewBatch for a partition that is no longer the sticky one', () => {
    const p = new StickyPartitioner(() => 0.3)
    const cur = p.partition('t', null, 5)
    p.onNewBatch('t', (cur + 1) % 5)
    expect(p.partition('t', null, 5)).toBe(cur)
  })

  it('chooses among available partitions and moves off an unavailable one', () => {
    const p = new StickyPartitioner(() => 0.99)
    expect(p.partition('t', null, 8, [1, 4])).toBe(4)
    expect(p.partition('t', null, 8, [1, 5])).toBe(5)
    expect(p.partition('t', null, 8, [3])).toBe(3)
    // none available: any partition
    expect(p.partition('t', null, 8, [])).toBe(3)
  })

  it('always switches to a different partition when there is a choice', () => {
    const p = new StickyPartitioner()
    let prev = p.partition('t', null, 3)
    const counts = [0, 0, 0]
    for (let i = 0; i < 300; i++) {
      p.onNewBatch('t')
      const next = p.partition('t', null, 3)
      expect(next).not.toBe(prev)
      counts[next]!++
      prev = next
    }
    for (const c of counts) expect(c).toBeGreaterThan(0)
  })

  it('stays on the only partition', () => {
    const p = new StickyPartitioner()
    expect(p.partition('t', null, 1)).toBe(0)
    p.onNewBatch('t')
    expect(p.partition('t', null, 1)).toBe(0)
  })
})
