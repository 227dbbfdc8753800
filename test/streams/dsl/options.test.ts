import { afterEach, describe, expect, it } from 'vitest'
import {
  StreamsBuilder,
  Serdes,
  Materialized,
  Produced,
  Consumed,
  Named,
  TimeWindows,
  QueryableStoreTypes,
  type Record,
  type FixedKeyProcessorContext,
} from '../../../streams/index.js'
import { TopologyTestDriver } from '../../../streams/testing/index.js'

const S = Serdes.String()
const L = Serdes.Long()
const drivers: TopologyTestDriver[] = []
afterEach(() => {
  for (const d of drivers.splice(0)) d.close()
})
function run(b: StreamsBuilder) {
  const d = new TopologyTestDriver(b.build(), { applicationId: 'o' })
  drivers.push(d)
  return d
}

describe('parameter objects', () => {
  it('Consumed.withTimestampExtractor sets record time', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('in', Consumed.with(S, S).withTimestampExtractor((r) => Number((r.value as string).split('@')[1])))
      .to('out', Produced.with(S, S))
    const d = run(b)
    d.createInputTopic('in', S, S).pipeInput('k', 'v@12345', 1)
    expect(d.createOutputTopic('out', S, S).readRecord().timestamp).toBe(12345)
  })

  it('Named overrides generated processor names', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('in', Consumed.with(S, S).withName('src')).filter(() => true, Named.as('keep-all')).to('out', Produced.with(S, S).withName('sink'))
    const names = b.build().describe().subtopologies[0]!.nodes.map((n) => n.name)
    expect(names).toEqual(['src', 'keep-all', 'sink'])
  })

  it('Materialized.withLoggingDisabled writes no changelog; KTable filter can be materialized and queried', () => {
    const b = new StreamsBuilder()
    const t = b.stream<string, string>('in', Consumed.with(S, S)).groupByKey().count(Materialized.as<string, number>('c').withLoggingDisabled())
    t.filter((_k, n) => n > 1, Materialized.as<string, number>('big').withValueSerde(L))
    const d = run(b)
    const input = d.createInputTopic('in', S, S)
    input.pipeInput('a', 'x', 1)
    input.pipeInput('a', 'x', 2)
    input.pipeInput('b', 'x', 3)
    expect(d.producedTopicNames()).toEqual(['o-big-changelog'])
    const big = d.store('big', QueryableStoreTypes.keyValueStore<string, number>())
    expect(big.all()).toEqual([{ key: 'a', value: 2 }])
  })

  it('windowed stores are queryable through read-only views', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count(Materialized.as<string, number>('wc').withRetention(1000))
    const d = run(b)
    const input = d.createInputTopic('in', S, S)
    input.pipeInput('a', 'x', 1)
    input.pipeInput('a', 'x', 15)
    const ws = d.store('wc', QueryableStoreTypes.windowStore<string, number>())
    expect(ws.fetch('a', 0, 100)).toEqual([
      { key: 0, value: 1 },
      { key: 10, value: 1 },
    ])
    expect(ws.fetchAll(0, 100).map((e) => [e.key.key, e.key.window.start, e.key.window.end, e.value])).toEqual([
      ['a', 0, 10, 1],
      ['a', 10, 20, 1],
    ])
  })

  it('processValues keeps the key and needs no repartition', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('in', Consumed.with(S, S))
      .processValues<number>(() => {
        let ctx: FixedKeyProcessorContext<string, number>
        return {
          init(c) {
            ctx = c
          },
          process(r: Record<string, string>) {
            ctx.forward(r.withValue(r.value.length))
          },
        }
      })
      .groupByKey()
      .count()
    const topo = b.build()
    expect(topo.describe().subtopologies).toHaveLength(1)
  })
})
