import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  assignorFor,
  CooperativeStickyAssignor,
  type PartitionAssignor,
  RangeAssignor,
  RoundRobinAssignor,
  type Subscription,
} from '../../../core/client/assignors/index.js'
import type { TopicPartition } from '../../../core/client/types.js'
import { BrookError } from '../../../core/errors.js'

const key = (tp: TopicPartition): string => `${tp.topic}-${tp.partition}`
const tps = (topic: string, ...ps: number[]): TopicPartition[] => ps.map((partition) => ({ topic, partition }))

function subs(entries: Record<string, string[]>, owned: Record<string, TopicPartition[]> = {}): Map<string, Subscription> {
  return new Map(Object.entries(entries).map(([m, topics]) => [m, { topics, ownedPartitions: owned[m] ?? [] }]))
}

/** Every partition of a subscribed topic exactly once, only to members subscribed to its topic. */
function checkComplete(partitions: Map<string, number>, s: Map<string, Subscription>, result: Map<string, TopicPartition[]>): void {
  expect([...result.keys()].sort()).toEqual([...s.keys()].sort())
  const seen = new Map<string, string>()
  for (const [member, list] of result) {
    for (const tp of list) {
      expect(s.get(member)!.topics).toContain(tp.topic)
      expect(seen.has(key(tp))).toBe(false)
      seen.set(key(tp), member)
    }
  }
  const subscribedTopics = new Set([...s.values()].flatMap((x) => x.topics))
  let expected = 0
  for (const [topic, n] of partitions) if (subscribedTopics.has(topic)) expected += n
  expect(seen.size).toBe(expected)
}

const spread = (result: Map<string, TopicPartition[]>): number => {
  const sizes = [...result.values()].map((l) => l.length)
  return Math.max(...sizes) - Math.min(...sizes)
}

const topicNames = ['a', 'b', 'c', 'd']
const arbPartitions = fc
  .tuple(...topicNames.map(() => fc.integer({ min: 0, max: 12 })))
  .map((counts) => new Map(counts.map((n, i) => [topicNames[i]!, n] as const).filter(([, n]) => n > 0)))
const arbMembers = fc.uniqueArray(fc.stringMatching(/^[a-z]{1,4}$/), { minLength: 1, maxLength: 7 })
const arbSubscriptions = fc
  .tuple(arbMembers, fc.array(fc.subarray(topicNames, { minLength: 1 }), { minLength: 7, maxLength: 7 }))
  .map(([members, topicLists]) => new Map(members.map((m, i) => [m, { topics: topicLists[i]!, ownedPartitions: [] as TopicPartition[] }])))
const arbSameSubscriptions = fc
  .tuple(arbMembers, fc.subarray(topicNames, { minLength: 1 }))
  .map(([members, topics]) => new Map(members.map((m) => [m, { topics, ownedPartitions: [] as TopicPartition[] }])))

describe('range', () => {
  const range = new RangeAssignor()

  it('splits each topic into contiguous ranges by member id, extra partitions first', () => {
    const result = range.assign(new Map([['t', 7], ['u', 2]]), subs({ c2: ['t', 'u'], c1: ['t', 'u'], c3: ['t'] }))
    expect(result.get('c1')).toEqual([...tps('t', 0, 1, 2), ...tps('u', 0)])
    expect(result.get('c2')).toEqual([...tps('t', 3, 4), ...tps('u', 1)])
    expect(result.get('c3')).toEqual(tps('t', 5, 6))
  })

  it('gives members without partitions an empty list and ignores unknown topics', () => {
    const result = range.assign(new Map([['t', 1]]), subs({ a: ['t'], b: ['t', 'missing'] }))
    expect(result.get('a')).toEqual(tps('t', 0))
    expect(result.get('b')).toEqual([])
  })

  it('assigns every partition exactly once to a subscriber', () => {
    fc.assert(fc.property(arbPartitions, arbSubscriptions, (p, s) => checkComplete(p, s, range.assign(p, s))))
  })
})

describe('roundrobin', () => {
  const rr = new RoundRobinAssignor()

  it('deals all partitions sorted by topic and partition to members in turn', () => {
    const result = rr.assign(new Map([['t', 3], ['u', 2]]), subs({ b: ['t', 'u'], a: ['t', 'u'] }))
    expect(result.get('a')).toEqual([...tps('t', 0, 2), ...tps('u', 1)])
    expect(result.get('b')).toEqual([...tps('t', 1), ...tps('u', 0)])
  })

  it('skips members not subscribed to a topic', () => {
    const result = rr.assign(new Map([['t', 2], ['u', 2]]), subs({ a: ['t'], b: ['t', 'u'] }))
    expect(result.get('a')).toEqual(tps('t', 0))
    expect(result.get('b')).toEqual([...tps('t', 1), ...tps('u', 0, 1)])
  })

  it('assigns every partition exactly once to a subscriber', () => {
    fc.assert(fc.property(arbPartitions, arbSubscriptions, (p, s) => checkComplete(p, s, rr.assign(p, s))))
  })

  it('is balanced within one when subscriptions are identical', () => {
    fc.assert(
      fc.property(arbPartitions, arbSameSubscriptions, (p, s) => {
        expect(spread(rr.assign(p, s))).toBeLessThanOrEqual(1)
      }),
    )
  })
})

describe('cooperative-sticky', () => {
  const sticky = new CooperativeStickyAssignor()

  /** Owned partitions are what the previous round handed out. */
  const withOwned = (s: Map<string, Subscription>, prev: Map<string, TopicPartition[]>, generationId = 1): Map<string, Subscription> =>
    new Map([...s].map(([m, sub]) => [m, { ...sub, ownedPartitions: prev.get(m) ?? [], generationId }]))

  it('is cooperative and named as in Kafka', () => {
    expect(sticky.name).toBe('cooperative-sticky')
    expect(sticky.protocol).toBe('cooperative')
    expect(new RangeAssignor().protocol).toBe('eager')
  })

  it('without owned partitions assigns everything exactly once', () => {
    fc.assert(fc.property(arbPartitions, arbSubscriptions, (p, s) => checkComplete(p, s, sticky.assign(p, s))))
  })

  it('is balanced within one when subscriptions are identical', () => {
    fc.assert(
      fc.property(arbPartitions, arbSameSubscriptions, (p, s) => {
        expect(spread(sticky.assign(p, s))).toBeLessThanOrEqual(1)
      }),
    )
  })

  it('keeps owned partitions when membership does not change', () => {
    fc.assert(
      fc.property(arbPartitions, arbSubscriptions, (p, s) => {
        const first = sticky.assign(p, s)
        const second = sticky.assign(p, withOwned(s, first))
        expect(second).toEqual(first)
      }),
    )
  })

  it('never assigns a partition another member still owns; the follow-up rebalance completes and balances', () => {
    fc.assert(
      fc.property(
        arbPartitions,
        arbSameSubscriptions,
        fc.array(fc.stringMatching(/^[a-z]{1,4}$/), { maxLength: 3 }),
        fc.nat(),
        (p, s, joiners, seed) => {
          const first = sticky.assign(p, s)
          // Some members leave, some join: the rest report what they own.
          const topics = [...s.values()][0]!.topics
          const next = new Map<string, Subscription>()
          ;[...s.keys()].forEach((m, i) => {
            if ((seed >> i) % 3 !== 0) next.set(m, { topics, ownedPartitions: first.get(m)!, generationId: 1 })
          })
          for (const j of joiners) if (!next.has(j)) next.set(j, { topics, ownedPartitions: [], generationId: -1 })
          if (next.size === 0) return
          const second = sticky.assign(p, next)
          for (const [member, list] of second) {
            for (const tp of list) {
              if (next.get(member)!.ownedPartitions.some((x) => key(x) === key(tp))) continue
              for (const [other, sub] of next) {
                if (other !== member) expect(sub.ownedPartitions.map(key)).not.toContain(key(tp))
              }
            }
          }
          // Owners revoke what they were not given, then everyone rejoins once more.
          const third = sticky.assign(p, withOwned(next, second, 2))
          checkComplete(p, next, third)
          expect(spread(third)).toBeLessThanOrEqual(1)
          // Nothing moves between owners in the follow-up either.
          for (const [member, list] of third) {
            for (const tp of list) {
              const owner = [...second].find(([, l]) => l.some((x) => key(x) === key(tp)))?.[0]
              if (owner !== undefined) expect(owner).toBe(member)
            }
          }
        },
      ),
    )
  })

  it('moves half of the partitions to a new member over two rebalances', () => {
    const p = new Map([['t', 6]])
    const round1 = sticky.assign(p, subs({ a: ['t'], b: ['t'] }, { a: tps('t', 0, 1, 2, 3, 4, 5) }))
    expect(round1.get('b')).toEqual([])
    expect(round1.get('a')!.length).toBe(3)
    const round2 = sticky.assign(p, subs({ a: ['t'], b: ['t'] }, { a: round1.get('a')! }))
    expect(round2.get('a')).toEqual(round1.get('a'))
    expect(round2.get('b')!.length).toBe(3)
  })

  it('takes partitions of members that left at once, and drops partitions of unsubscribed topics', () => {
    const p = new Map([['t', 4], ['u', 2]])
    const result = sticky.assign(p, subs({ a: ['t'], b: ['t'] }, { a: tps('t', 0, 1, ...[]).concat(tps('u', 0)), gone: tps('t', 2, 3) }))
    checkComplete(p, subs({ a: ['t'], b: ['t'] }), result)
    expect(result.get('a')).toEqual(tps('t', 0, 1))
  })

  it('ignores partitions claimed from an older generation', () => {
    const p = new Map([['t', 2]])
    const s = new Map<string, Subscription>([
      ['a', { topics: ['t'], ownedPartitions: tps('t', 0), generationId: 5 }],
      ['b', { topics: ['t'], ownedPartitions: tps('t', 0, 1), generationId: 4 }],
    ])
    const result = sticky.assign(p, s)
    expect(result.get('a')).toEqual(tps('t', 0))
    // b still claims 0, so a keeps it and b keeps 1.
    expect(result.get('b')).toEqual(tps('t', 1))
  })
})

describe('assignorFor', () => {
  it('builds assignors by Kafka name', () => {
    const names = ['range', 'roundrobin', 'cooperative-sticky'] as const
    const built: PartitionAssignor[] = names.map((n) => assignorFor(n))
    expect(built.map((a) => a.name)).toEqual([...names])
    expect(() => assignorFor('sticky' as never)).toThrow(BrookError)
  })
})
