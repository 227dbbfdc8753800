import { describe, expect, it } from 'vitest'
import { StreamsBuilder, Serdes, Materialized, Produced, Grouped, Consumed, JoinWindows, StreamJoined, Joined } from '../../../streams/index.js'
import { topologyTopics, checkCopartitioning } from '../../../streams/internals/topology-metadata.js'

const S = Serdes.String()
const L = Serdes.Long()

describe('topologyTopics', () => {
  it('lists source, repartition and changelog topics per sub-topology, resolved with the application id', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('text', Consumed.with(S, S))
      .groupBy((_k, v) => v, Grouped.with(S, S))
      .count(Materialized.as<string, number>('counts'))
      .toStream()
      .to('out', Produced.with(S, L))
    b.stream<string, string>('other', Consumed.with(S, S)).groupByKey().count(Materialized.as<string, number>('nolog').withLoggingDisabled())
    const t = topologyTopics(b.build().internal, 'app')
    expect(t.repartitionTopics).toEqual(['app-counts-repartition'])
    expect(t.changelogTopics).toEqual(['app-counts-changelog'])
    expect(t.subtopologies.map((s) => [s.id, s.sourceTopics, s.repartitionSourceTopics, [...s.changelogTopics]])).toEqual([
      [0, ['text'], [], []],
      [1, ['app-counts-repartition'], ['app-counts-repartition'], [['counts', 'app-counts-changelog']]],
      [2, ['other'], [], []],
    ])
  })

  it('reports co-partition groups and checks partition counts', () => {
    const b = new StreamsBuilder()
    const l = b.stream<string, string>('l', Consumed.with(S, S))
    const r = b.stream<string, string>('r', Consumed.with(S, S))
    l.join(r, (a, c) => a + c, JoinWindows.ofTimeDifferenceWithNoGrace(1)).to('o', Produced.with(S, S))
    const topo = b.build()
    const t = topologyTopics(topo.internal, 'app')
    // Kafka draws KSTREAM-WINDOWED-0000000002 and -3 for the two windowing processors first.
    expect(t.copartitionGroups).toEqual([{ operator: 'KSTREAM-JOINTHIS-0000000004', topics: ['l', 'r'] }])
    expect(() => checkCopartitioning(topo.internal, () => 4)).not.toThrow()
    expect(() => checkCopartitioning(topo.internal, (x) => (x === 'l' ? 4 : 8))).toThrow(/KSTREAM-JOINTHIS-0000000004 .* 'l' has 4 .* 'r' has 8/)
  })

  // Expected names follow Kafka's KStreamImpl.doJoin / KStreamImplJoin rules: the repartition is
  // named after the upstream node (or '<name>-left') and draws three numbers; an unnamed join then
  // draws two KSTREAM-WINDOWED- numbers, and always draws its this/other numbers, which name the
  // stores unless StreamJoined gives a store name.
  it("names a stream-stream join's repartition topics and stores as Kafka does", () => {
    const unnamed = new StreamsBuilder()
    const ul = unnamed.stream<string, string>('l', Consumed.with(S, S))
    const ur = unnamed.stream<string, string>('r', Consumed.with(S, S))
    ul.selectKey((_k, v) => v).leftJoin(ur, (a, c) => a + c, JoinWindows.ofTimeDifferenceWithNoGrace(10)).to('o', Produced.with(S, S))
    const uTopology = unnamed.build()
    const u = topologyTopics(uTopology.internal, 'app')
    expect(u.repartitionTopics).toEqual(['app-KSTREAM-KEY-SELECT-0000000002-repartition'])
    expect([...u.changelogTopics].sort()).toEqual([
      'app-KSTREAM-JOINTHIS-0000000008-store-changelog',
      'app-KSTREAM-OUTEROTHER-0000000009-store-changelog',
      'app-KSTREAM-OUTERSHARED-0000000008-store-changelog',
    ])
    expect(uTopology.describe().toString()).toContain('Processor: KSTREAM-MERGE-0000000010')

    const named = new StreamsBuilder()
    const nl = named.stream<string, string>('l', Consumed.with(S, S))
    const nr = named.stream<string, string>('r', Consumed.with(S, S))
    nl.selectKey((_k, v) => v)
      .outerJoin(nr.selectKey((_k, v) => v), (a, c) => `${a}${c}`, JoinWindows.ofTimeDifferenceWithNoGrace(10), StreamJoined.with<string, string, string>(S, S, S).withName('j').withStoreName('s'))
      .to('o', Produced.with(S, S))
    const nTopology = named.build()
    const n = topologyTopics(nTopology.internal, 'app')
    expect([...n.repartitionTopics].sort()).toEqual(['app-j-left-repartition', 'app-j-right-repartition'])
    expect([...n.changelogTopics].sort()).toEqual(['app-s-outer-other-join-store-changelog', 'app-s-outer-shared-join-store-changelog', 'app-s-outer-this-join-store-changelog'])
    const described = nTopology.describe().toString()
    for (const node of ['j-outer-this-join', 'j-outer-other-join', 'j-merge']) expect(described).toContain(`Processor: ${node} `)
    expect(described).toContain('Source: j-left-repartition-source ')
  })

  it("names a stream-table join's repartition after the upstream node and its processor KSTREAM-LEFTJOIN- for a left join", () => {
    const b = new StreamsBuilder()
    const table = b.table<string, string>('t', Consumed.with(S, S))
    b.stream<string, string>('s', Consumed.with(S, S))
      .selectKey((_k, v) => v)
      .leftJoin(table, (a, c) => `${a}${c ?? ''}`, Joined.with<string, string, string>(S, S, S))
      .to('o', Produced.with(S, S))
    const topology = b.build()
    const t = topologyTopics(topology.internal, 'app')
    // table: store t-STATE-STORE-0, KSTREAM-SOURCE-1, KTABLE-SOURCE-2; stream source 3, key select 4,
    // repartition 5..7, then the join 8
    expect(t.repartitionTopics).toEqual(['app-KSTREAM-KEY-SELECT-0000000004-repartition'])
    expect(topology.describe().toString()).toContain('Processor: KSTREAM-LEFTJOIN-0000000008 ')
  })
})
