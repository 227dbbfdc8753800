import { describe, expect, it } from 'vitest'
import { StreamsBuilder, Serdes, Materialized, Produced, Grouped, Consumed, Topology, Stores, Record, type ProcessorContext, type KeyValueStore } from '../../../streams/index.js'
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
        '      --> KTABLE-TOSTREAM-0000000004',
        '      <-- counts-repartition-source',
        '    Processor: KTABLE-TOSTREAM-0000000004 (stores: [])',
        '      --> KSTREAM-SINK-0000000005',
        '      <-- KSTREAM-AGGREGATE-0000000003',
        '    Sink: KSTREAM-SINK-0000000005 (topic: word-counts)',
        '      <-- KTABLE-TOSTREAM-0000000004',
        '',
      ].join('\n'),
    )
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
