import { describe, expect, it } from 'vitest'
import { StreamsBuilder, Serdes, Materialized, Produced, Grouped, Consumed, JoinWindows } from '../../../streams/index.js'
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
    expect(t.copartitionGroups).toEqual([{ operator: 'KSTREAM-JOINTHIS-0000000002', topics: ['l', 'r'] }])
    expect(() => checkCopartitioning(topo.internal, () => 4)).not.toThrow()
    expect(() => checkCopartitioning(topo.internal, (x) => (x === 'l' ? 4 : 8))).toThrow(/KSTREAM-JOINTHIS-0000000002 .* 'l' has 4 .* 'r' has 8/)
  })
})
