import { describe, expect, it } from 'vitest'
import { StreamsBuilder, Serdes, Materialized, Produced, Grouped, Consumed, Repartitioned, Topology, Stores, Record, type ProcessorContext, type KeyValueStore } from '../../../streams/index.js'
import { TopologyTestDriver } from '../../../streams/testing/index.js'

const S = Serdes.String()
const L = Serdes.Long()

function wordCount(): Topology {
  const b = new StreamsBuilder()
  b.stream<string, string>('text', Consumed.with(S, S))
    .flatMapValues((line) => line.split(' '))
    .groupBy((_k, word) => word, Grouped.with(S, S))
    .count(Materialized.as<string, number>('counts'))
    .toStream()
    .to('word-counts', Produced.with(S, L))
  return b.build()
}

describe('Topology.describe', () => {
  // Expected names follow Kafka's rules, not Brook's output: a repartition always draws
  // three generated names (sink, filter, source) from the shared counter, so after the
  // named counts-repartition nodes the numbering goes on at 7 (Kafka's own WordCount demo
  // prints KTABLE-TOSTREAM-0000000007 and KSTREAM-SINK-0000000008).
  it('prints sub-topologies like Kafka TopologyDescription', () => {
    expect(wordCount().describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [text])',
        '      --> KSTREAM-FLATMAPVALUES-0000000001',
        '    Processor: KSTREAM-FLATMAPVALUES-0000000001 (stores: [])',
        '      --> KSTREAM-KEY-SELECT-0000000002',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: KSTREAM-KEY-SELECT-0000000002 (stores: [])',
        '      --> counts-repartition-filter',
        '      <-- KSTREAM-FLATMAPVALUES-0000000001',
        '    Processor: counts-repartition-filter (stores: [])',
        '      --> counts-repartition-sink',
        '      <-- KSTREAM-KEY-SELECT-0000000002',
        '    Sink: counts-repartition-sink (topic: counts-repartition)',
        '      <-- counts-repartition-filter',
        '',
        '   Sub-topology: 1',
        '    Source: counts-repartition-source (topics: [counts-repartition])',
        '      --> KSTREAM-AGGREGATE-0000000003',
        '    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [counts])',
        '      --> KTABLE-TOSTREAM-0000000007',
        '      <-- counts-repartition-source',
        '    Processor: KTABLE-TOSTREAM-0000000007 (stores: [])',
        '      --> KSTREAM-SINK-0000000008',
        '      <-- KSTREAM-AGGREGATE-0000000003',
        '    Sink: KSTREAM-SINK-0000000008 (topic: word-counts)',
        '      <-- KTABLE-TOSTREAM-0000000007',
        '',
      ].join('\n'),
    )
  })

  const names = (t: Topology): string[][] => t.describe().subtopologies.map((s) => s.nodes.map((n) => n.name))

  it('numbers past named and generated repartitions as Kafka does', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('in', Consumed.with(S, S))
      .repartition() // KSTREAM-REPARTITION-1: generated base, so generated sink 2, filter 3, source 4
      .filter(() => true) // 5
      .repartition(Repartitioned.as('by-user')) // burns 6, 7, 8; nodes named after the topic
      .mapValues((v) => v) // 9
      .to('out') // 10
    const t = b.build()
    expect(names(t)).toEqual([
      ['KSTREAM-SOURCE-0000000000', 'KSTREAM-FILTER-0000000003', 'KSTREAM-SINK-0000000002'],
      ['KSTREAM-SOURCE-0000000004', 'KSTREAM-FILTER-0000000005', 'by-user-repartition-filter', 'by-user-repartition-sink'],
      ['by-user-repartition-source', 'KSTREAM-MAPVALUES-0000000009', 'KSTREAM-SINK-0000000010'],
    ])
    expect(t.describe().toString()).toContain('Sink: KSTREAM-SINK-0000000002 (topic: KSTREAM-REPARTITION-0000000001-repartition)')
  })

  it('numbers a table groupBy as Kafka does: store before source, repartition sink and source before the aggregation', () => {
    const b = new StreamsBuilder()
    b.table<string, string>('users', Consumed.with(S, S)) // store users-STATE-STORE-0, source 1, table source 2
      .groupBy((k, v) => ({ key: v, value: k }), Grouped.with(S, S)) // KTABLE-SELECT-3
      .count() // store 4, repartition sink 5 and source 6, KTABLE-AGGREGATE-7
    const d = b.build().describe()
    expect(d.toString()).toContain('Processor: KTABLE-SOURCE-0000000002 (stores: [users-STATE-STORE-0000000000])')
    expect(d.toString()).toContain('Sink: KSTREAM-SINK-0000000005 (topic: KTABLE-AGGREGATE-STATE-STORE-0000000004-repartition)')
    expect(d.toString()).toContain('Processor: KTABLE-AGGREGATE-0000000007 (stores: [KTABLE-AGGREGATE-STATE-STORE-0000000004])')
    expect(d.subtopologies.map((s) => s.nodes.map((n) => n.name))).toEqual([
      ['KSTREAM-SOURCE-0000000001', 'KTABLE-SOURCE-0000000002', 'KTABLE-SELECT-0000000003', 'KSTREAM-SINK-0000000005'],
      ['KSTREAM-SOURCE-0000000006', 'KTABLE-AGGREGATE-0000000007'],
    ])
  })

  it('names generated stores after the operator with the shared counter', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('in', Consumed.with(S, S)).filter(() => true).groupByKey().count()
    const d = b.build().describe()
    const procs = d.subtopologies[0]!.nodes.filter((n) => n.kind === 'processor')
    expect(procs.map((n) => [n.name, n.stores])).toEqual([
      ['KSTREAM-FILTER-0000000001', []],
      ['KSTREAM-AGGREGATE-0000000003', ['KSTREAM-AGGREGATE-STATE-STORE-0000000002']],
    ])
  })

  it('renders a Mermaid flowchart with sub-topologies, topics and stores', () => {
    const m = wordCount().toMermaid()
    expect(m.startsWith('flowchart TD\n')).toBe(true)
    expect(m).toContain('subgraph sub0["Sub-topology 0"]')
    expect(m).toContain('subgraph sub1["Sub-topology 1"]')
    expect(m).toContain('tn_counts_repartition{{"counts-repartition"}}')
    expect(m).toContain('sn_counts[("counts")]')
    expect(m).toContain('n_KSTREAM_AGGREGATE_0000000003 -.- sn_counts')
    expect(m).toContain('n_counts_repartition_sink --> tn_counts_repartition')
    expect(m).toContain('tn_counts_repartition --> n_counts_repartition_source')
  })
})

describe('Processor API topology', () => {
  it('runs source -> processor (with store, stream-time punctuation) -> sink', () => {
    const t = new Topology()
      .addSource('src', 'in', { keySerde: S, valueSerde: S })
      .addProcessor<string, string, string, number>(
        'len',
        () => {
          let ctx: ProcessorContext<string, number>
          return {
            init(c) {
              ctx = c
              c.schedule(10, 'STREAM_TIME' as never, (ts) => ctx.forward(new Record('punct', ts, ts)))
            },
            process(r) {
              const store = ctx.getStateStore<KeyValueStore<string, number>>('total')
              const n = (store.get(r.key) ?? 0) + r.value.length
              store.put(r.key, n)
              ctx.forward(r.withValue(n))
            },
          }
        },
        'src',
      )
      .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('total'), S, L), 'len')
      .addSink('sink', 'out', { keySerde: S, valueSerde: L }, 'len')
    expect(t.describe().subtopologies).toHaveLength(1)
    const d = new TopologyTestDriver(t, { applicationId: 'p' })
    const input = d.createInputTopic('in', S, S)
    input.pipeInput('a', 'xx', 5)
    input.pipeInput('a', 'yyy', 12)
    input.pipeInput('a', 'z', 27)
    expect(d.createOutputTopic('out', S, L).readKeyValuesToList()).toEqual([
      { key: 'a', value: 2 },
      { key: 'punct', value: 5 },
      { key: 'a', value: 5 },
      { key: 'a', value: 6 },
      { key: 'punct', value: 27 },
    ])
    d.close()
  })

  it('rejects a processor reading a store it is not connected to', () => {
    const t = new Topology()
      .addSource('src', 'in', { keySerde: S, valueSerde: S })
      .addProcessor('p', () => ({
        init(c: ProcessorContext) {
          c.getStateStore('other')
        },
        process() {},
      }), 'src')
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('other'), S, S))
    expect(() => new TopologyTestDriver(t, { applicationId: 'p' })).toThrow(/Processor p has no access to store 'other'/)
  })

  it('rejects unknown parents and duplicate names', () => {
    const t = new Topology().addSource('src', 'in')
    expect(() => t.addProcessor('p', () => ({ process() {} }), 'missing')).toThrow(/p names parent missing/)
    expect(() => t.addSource('src', 'other')).toThrow(/already in the topology/)
    expect(() => t.addSource('src2', 'in')).toThrow(/topic 'in' is already read by source src/)
  })
})
