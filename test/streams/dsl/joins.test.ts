import { afterEach, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { StreamsBuilder, Serdes, Materialized, Produced, Consumed, JoinWindows, Grouped, pair, type KStream, type KTable } from '../../../streams/index.js'
import { TopologyTestDriver } from '../../../streams/testing/index.js'

const S = Serdes.String()
const L = Serdes.Long()
const drivers: TopologyTestDriver[] = []
afterEach(() => {
  for (const d of drivers.splice(0)) d.close()
})
function run(b: StreamsBuilder, partitions?: { [t: string]: number }) {
  const d = new TopologyTestDriver(b.build(), { applicationId: 'j', partitions })
  drivers.push(d)
  return d
}
const streams = (b: StreamsBuilder): [KStream<string, string>, KStream<string, string>] => [
  b.stream<string, string>('left', Consumed.with(S, S)),
  b.stream<string, string>('right', Consumed.with(S, S)),
]
const tables = (b: StreamsBuilder): [KTable<string, string>, KTable<string, string>] => [
  b.table<string, string>('lt', Consumed.with(S, S), Materialized.as<string, string>('lt-store').withCachingDisabled()),
  b.table<string, string>('rt', Consumed.with(S, S), Materialized.as<string, string>('rt-store').withCachingDisabled()),
]

describe('stream-stream joins', () => {
  const joinWith = (kind: 'join' | 'leftJoin' | 'outerJoin') => {
    const b = new StreamsBuilder()
    const [l, r] = streams(b)
    const w = JoinWindows.ofTimeDifferenceAndGrace(10, 0)
    const joiner = (a: string | null, c: string | null) => `${a}+${c}`
    const joined = kind === 'join' ? l.join(r, joiner, w) : kind === 'leftJoin' ? l.leftJoin(r, joiner, w) : l.outerJoin(r, joiner, w)
    joined.to('out', Produced.with(S, S))
    const d = run(b)
    return { d, left: d.createInputTopic('left', S, S), right: d.createInputTopic('right', S, S), out: d.createOutputTopic('out', S, S) }
  }

  it('inner join pairs records of one key within the window', () => {
    const { left, right, out } = joinWith('join')
    left.pipeInput('a', 'L1', 100)
    right.pipeInput('a', 'R1', 105)
    right.pipeInput('a', 'R2', 111) // 11 ms after L1: outside
    right.pipeInput('b', 'R3', 105)
    left.pipeInput('a', 'L2', 112)
    expect(out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['a', 'L1+R1', 105],
      ['a', 'L2+R1', 112],
      ['a', 'L2+R2', 112],
    ])
  })

  it('left join emits unmatched left records with null once their window closed', () => {
    const { left, right, out } = joinWith('leftJoin')
    left.pipeInput('a', 'L1', 100)
    left.pipeInput('b', 'L2', 101)
    right.pipeInput('a', 'R1', 103)
    expect(out.readKeyValuesToList()).toEqual([{ key: 'a', value: 'L1+R1' }])
    right.pipeInput('c', 'R9', 112) // stream time 112 > 101 + 10: L2's window closed
    expect(out.readKeyValuesToList()).toEqual([{ key: 'b', value: 'L2+null' }])
    left.pipeInput('z', 'L3', 130)
    expect(out.readKeyValuesToList()).toEqual([])
  })

  it('outer join emits unmatched records of both sides', () => {
    const { left, right, out } = joinWith('outerJoin')
    left.pipeInput('a', 'L1', 100)
    right.pipeInput('b', 'R1', 100)
    left.pipeInput('c', 'L2', 200)
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'a', value: 'L1+null' },
      { key: 'b', value: 'null+R1' },
    ])
  })

  it('left join does not emit an unmatched record twice across a restart', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-join-'))
    try {
      const build = () => {
        const b = new StreamsBuilder()
        const [l, r] = streams(b)
        l.leftJoin(r, (a, c) => `${a}+${c}`, JoinWindows.ofTimeDifferenceAndGrace(10, 0)).to('out', Produced.with(S, S))
        return b.build()
      }
      const d1 = new TopologyTestDriver(build(), { applicationId: 'rj', stateDir: dir })
      d1.createInputTopic('left', S, S).pipeInput('a', 'L1', 100)
      d1.createInputTopic('left', S, S).pipeInput('b', 'L2', 115) // closes L1's window; L1 stays in the store
      expect(d1.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([{ key: 'a', value: 'L1+null' }])
      d1.close()
      const d2 = new TopologyTestDriver(build(), { applicationId: 'rj', stateDir: dir })
      drivers.push(d2)
      d2.createInputTopic('left', S, S).pipeInput('c', 'L3', 130)
      expect(d2.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([{ key: 'b', value: 'L2+null' }])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('rejects joining a stream with itself, naming the operator', () => {
    const b = new StreamsBuilder()
    const [l] = streams(b)
    expect(() => l.join(l, (x, y) => x + y, JoinWindows.ofTimeDifferenceWithNoGrace(5))).toThrow(/KSTREAM-JOINTHIS-\d{10}.*itself/)
  })

  it('fails at start when co-partitioned inputs differ in partition count, naming the operator and topics', () => {
    const b = new StreamsBuilder()
    const [l, r] = streams(b)
    l.join(r, (x, y) => x + y, JoinWindows.ofTimeDifferenceWithNoGrace(5)).to('out', Produced.with(S, S))
    expect(() => run(b, { left: 3, right: 2 })).toThrow(/KSTREAM-JOINTHIS-\d{10} requires co-partitioned inputs, but topic 'left' has 3 partition\(s\) and topic 'right' has 2/)
  })

  it('repartitions a key-changed stream before joining', () => {
    const b = new StreamsBuilder()
    const [l, r] = streams(b)
    l.selectKey((_k, v) => v.split(':')[0]!)
      .join(r, (x, y) => `${x}|${y}`, JoinWindows.ofTimeDifferenceWithNoGrace(50))
      .to('out', Produced.with(S, S))
    const d = run(b)
    d.createInputTopic('left', S, S).pipeInput('ignored', 'k1:hello', 10)
    d.createInputTopic('right', S, S).pipeInput('k1', 'world', 20)
    expect(d.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([{ key: 'k1', value: 'k1:hello|world' }])
    expect(d.producedTopicNames().some((t) => t.endsWith('-repartition'))).toBe(true)
  })
})

describe('stream-table and stream-globaltable joins', () => {
  it('joins stream records with the current table value (inner and left)', () => {
    const b = new StreamsBuilder()
    const s = b.stream<string, string>('orders', Consumed.with(S, S))
    const t = b.table<string, string>('customers', Consumed.with(S, S))
    s.join(t, (o, c) => `${o}@${c}`).to('inner', Produced.with(S, S))
    s.leftJoin(t, (o, c) => `${o}@${c}`).to('left', Produced.with(S, S))
    const d = run(b)
    const orders = d.createInputTopic('orders', S, S)
    const customers = d.createInputTopic('customers', S, S)
    orders.pipeInput('c1', 'o1', 1)
    customers.pipeInput('c1', 'Ann', 2)
    orders.pipeInput('c1', 'o2', 3)
    customers.pipeInput('c1', 'Anna', 4)
    orders.pipeInput('c1', 'o3', 5)
    expect(d.createOutputTopic('inner', S, S).readValuesToList()).toEqual(['o2@Ann', 'o3@Anna'])
    expect(d.createOutputTopic('left', S, S).readValuesToList()).toEqual(['o1@null', 'o2@Ann', 'o3@Anna'])
  })

  it('joins with a global table through a key selector', () => {
    const b = new StreamsBuilder()
    const g = b.globalTable<string, string>('products', Consumed.with(S, S), Materialized.as<string, string>('products-store'))
    const s = b.stream<string, string>('sales', Consumed.with(S, S))
    s.join(g, (_k, v) => v.split(',')[0]!, (v, p) => `${v}:${p}`).to('out', Produced.with(S, S))
    s.leftJoin(g, (_k, v) => v.split(',')[0]!, (v, p) => `${v}:${p}`).to('out-left', Produced.with(S, S))
    const topo = b.build()
    expect(topo.describe().toString()).toContain('for global store')
    const d = new TopologyTestDriver(topo, { applicationId: 'g' })
    drivers.push(d)
    d.createInputTopic('products', S, S).pipeInput('p1', 'Pen', 1)
    const sales = d.createInputTopic('sales', S, S)
    sales.pipeInput('s1', 'p1,2', 2)
    sales.pipeInput('s2', 'p9,1', 3)
    expect(d.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([{ key: 's1', value: 'p1,2:Pen' }])
    expect(d.createOutputTopic('out-left', S, S).readValuesToList()).toEqual(['p1,2:Pen', 'p9,1:null'])
    expect(d.getKeyValueStore<string, string>('products-store').get('p1')).toBe('Pen')
    expect(d.producedTopicNames().some((t) => t.includes('products-store-changelog'))).toBe(false)
  })
})

describe('table-table joins', () => {
  const tableJoin = (kind: 'join' | 'leftJoin' | 'outerJoin') => {
    const b = new StreamsBuilder()
    const [l, r] = tables(b)
    const joiner = (a: string | null, c: string | null) => `${a}+${c}`
    const t = kind === 'join' ? l.join(r, joiner) : kind === 'leftJoin' ? l.leftJoin(r, joiner) : l.outerJoin(r, joiner)
    t.toStream().to('out', Produced.with(S, S))
    const d = run(b)
    return { lt: d.createInputTopic('lt', S, S), rt: d.createInputTopic('rt', S, S), out: d.createOutputTopic('out', S, S) }
  }

  it('inner', () => {
    const { lt, rt, out } = tableJoin('join')
    lt.pipeInput('a', 'L1', 1)
    rt.pipeInput('a', 'R1', 2)
    lt.pipeInput('a', 'L2', 3)
    rt.pipeInput('a', null, 4)
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'a', value: 'L1+R1' },
      { key: 'a', value: 'L2+R1' },
      { key: 'a', value: null },
    ])
  })

  it('left', () => {
    const { lt, rt, out } = tableJoin('leftJoin')
    lt.pipeInput('a', 'L1', 1)
    rt.pipeInput('a', 'R1', 2)
    rt.pipeInput('b', 'R2', 3)
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'a', value: 'L1+null' },
      { key: 'a', value: 'L1+R1' },
    ])
  })

  it('outer', () => {
    const { lt, rt, out } = tableJoin('outerJoin')
    lt.pipeInput('a', 'L1', 1)
    rt.pipeInput('b', 'R2', 2)
    rt.pipeInput('a', 'R1', 3)
    lt.pipeInput('a', null, 4)
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'a', value: 'L1+null' },
      { key: 'b', value: 'null+R2' },
      { key: 'a', value: 'L1+R1' },
      { key: 'a', value: 'null+R1' },
    ])
  })

  it('foreign-key join follows changes on both sides', () => {
    const b = new StreamsBuilder()
    const orders = b.table<string, string>('orders', Consumed.with(S, S), Materialized.as<string, string>('orders-store').withCachingDisabled())
    const customers = b.table<string, string>('customers', Consumed.with(S, S), Materialized.as<string, string>('customers-store').withCachingDisabled())
    orders
      .join(customers, (order) => order.split(':')[0]!, (order, customer) => `${order}/${customer}`)
      .toStream()
      .to('out', Produced.with(S, S))
    const d = run(b)
    const o = d.createInputTopic('orders', S, S)
    const c = d.createInputTopic('customers', S, S)
    const out = d.createOutputTopic('out', S, S)
    c.pipeInput('c1', 'Ann', 1)
    o.pipeInput('o1', 'c1:pen', 2)
    o.pipeInput('o2', 'c2:ink', 3)
    expect(out.readKeyValuesToList()).toEqual([{ key: 'o1', value: 'c1:pen/Ann' }])
    c.pipeInput('c2', 'Bob', 4)
    c.pipeInput('c1', 'Anna', 5)
    expect(out.readKeyValuesToMap()).toEqual(new Map([['o2', 'c2:ink/Bob'], ['o1', 'c1:pen/Anna']]))
    o.pipeInput('o1', 'c2:pen', 6) // moves to another customer
    expect(out.readKeyValuesToList()).toEqual([{ key: 'o1', value: 'c2:pen/Bob' }])
  })
})

describe('foreign-key joins across sub-topologies', () => {
  const setup = (left: boolean) => {
    const b = new StreamsBuilder()
    const orders = b.table<string, string>('orders', Consumed.with(S, S), Materialized.as<string, string>('orders-store').withCachingDisabled())
    const customers = b.table<string, string>('customers', Consumed.with(S, S), Materialized.as<string, string>('customers-store').withCachingDisabled())
    const fk = (order: string) => order.split(':')[0]!
    const joiner = (order: string, customer: string | null) => `${order}/${customer}`
    ;(left ? orders.leftJoin(customers, fk, joiner) : orders.join(customers, fk, joiner)).toStream().to('out', Produced.with(S, S))
    const topo = b.build()
    const d = new TopologyTestDriver(topo, { applicationId: 'fk' })
    drivers.push(d)
    return { topo, d, o: d.createInputTopic('orders', S, S), c: d.createInputTopic('customers', S, S), out: d.createOutputTopic('out', S, S) }
  }

  it('puts the two tables in different sub-topologies linked by subscription and response topics', () => {
    const { topo, d, o, c } = setup(false)
    const subs = topo.describe().subtopologies
    expect(subs).toHaveLength(2)
    const topicsOf = (i: number) => subs[i]!.nodes.flatMap((n) => (n.kind === 'source' ? n.topics : []))
    // Kafka's names: KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-<n>-topic and ...-RESPONSE-<n>-topic
    expect(topicsOf(0).some((t) => /^KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-\d{10}-topic$/.test(t))).toBe(true)
    expect(topicsOf(1).some((t) => /^KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-\d{10}-topic$/.test(t))).toBe(true)
    c.pipeInput('c1', 'Ann', 1)
    o.pipeInput('o1', 'c1:pen', 2)
    expect(d.producedTopicNames().filter((t) => t.includes('KTABLE-FK-JOIN-SUBSCRIPTION-') && t.endsWith('-topic'))).toHaveLength(2)
  })

  it('inner join: deleting either side retracts the result', () => {
    const { o, c, out } = setup(false)
    c.pipeInput('c1', 'Ann', 1)
    o.pipeInput('o1', 'c1:pen', 2)
    c.pipeInput('c1', null, 3)
    o.pipeInput('o2', 'c1:ink', 4) // no customer: no result
    c.pipeInput('c1', 'Ann', 5)
    o.pipeInput('o1', null, 6)
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'o1', value: 'c1:pen/Ann' },
      { key: 'o1', value: null },
      { key: 'o1', value: 'c1:pen/Ann' },
      { key: 'o2', value: 'c1:ink/Ann' },
      { key: 'o1', value: null },
    ])
  })

  it('left join keeps rows without a match and rows without a foreign key', () => {
    const { o, c, out } = setup(true)
    o.pipeInput('o1', 'c9:pen', 1)
    o.pipeInput('o2', ':nofk', 2)
    c.pipeInput('c9', 'Zed', 3)
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'o1', value: 'c9:pen/null' },
      { key: 'o2', value: ':nofk/null' },
      { key: 'o1', value: 'c9:pen/Zed' },
    ])
  })
})

describe('KGroupedTable', () => {
  it('aggregate subtracts from the old group when a key moves between groups', () => {
    const b = new StreamsBuilder()
    // user -> region; count users per region
    b.table<string, string>('users', Consumed.with(S, S))
      .groupBy((user, region) => pair(region, user), Grouped.with(S, S))
      .aggregate(
        () => 0,
        (_region, _user, n) => n + 1,
        (_region, _user, n) => n - 1,
        Materialized.as<string, number>('per-region').withValueSerde(L).withCachingDisabled(),
      )
      .toStream()
      .to('out', Produced.with(S, L))
    const d = run(b)
    const users = d.createInputTopic('users', S, S)
    users.pipeInput('alice', 'eu', 1)
    users.pipeInput('bob', 'eu', 2)
    users.pipeInput('alice', 'us', 3)
    const store = d.getKeyValueStore<string, number>('per-region')
    expect(store.get('eu')).toBe(1)
    expect(store.get('us')).toBe(1)
    users.pipeInput('bob', null, 4)
    expect(store.get('eu')).toBe(0)
    expect(d.createOutputTopic('out', S, L).readKeyValuesToList()).toEqual([
      { key: 'eu', value: 1 },
      { key: 'eu', value: 2 },
      { key: 'eu', value: 1 },
      { key: 'us', value: 1 },
      { key: 'eu', value: 0 },
    ])
  })

  it('count and reduce with subtractor', () => {
    const b = new StreamsBuilder()
    const t = b.table<string, string>('scores', Consumed.with(S, S))
    t.groupBy((k, v) => pair(k.split('-')[0]!, v), Grouped.with(S, S)).count(Materialized.as<string, number>('n'))
    t.groupBy((k, v) => pair(k.split('-')[0]!, Number(v)), Grouped.with(S, L)).reduce(
      (a, v) => a + v,
      (a, v) => a - v,
      Materialized.as<string, number>('sum'),
    )
    const d = run(b)
    const scores = d.createInputTopic('scores', S, S)
    scores.pipeInput('team1-a', '10', 1)
    scores.pipeInput('team1-b', '5', 2)
    scores.pipeInput('team1-a', '7', 3)
    expect(d.getKeyValueStore<string, number>('n').get('team1')).toBe(2)
    expect(d.getKeyValueStore<string, number>('sum').get('team1')).toBe(12)
  })
})
