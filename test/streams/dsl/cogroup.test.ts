// cogroup (KIP-150): several grouped streams, each with its own aggregator, into one table.
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../../core/client/embedded/client.js'
import {
  Consumed,
  Grouped,
  KafkaStreams,
  Materialized,
  Named,
  Produced,
  QueryableStoreTypes,
  Serdes,
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  TimeWindows,
  TopologyException,
  WindowedSerdes,
  type KGroupedStream,
  type Windowed,
} from '../../../streams/index.js'
import { TopologyTestDriver } from '../../../streams/testing/index.js'
import { cleanupDirs, tmpDir } from '../runtime/helpers.js'

const S = Serdes.String()
const L = Serdes.Long()
const drivers: TopologyTestDriver[] = []
const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const d of drivers.splice(0)) d.close()
  for (const c of closers.splice(0).reverse()) await c().catch(() => undefined)
  cleanupDirs()
})

/** clicks add 1 and views add 100 to one total per user. */
function totals(b: StreamsBuilder, clicks: KGroupedStream<string, string>, views: KGroupedStream<string, string>, m = Materialized.as<string, number>('totals').withValueSerde(L)) {
  return clicks
    .cogroup<number>((_k, _v, agg) => agg + 1)
    .cogroup(views, (_k, _v, agg) => agg + 100)
    .aggregate(() => 0, m)
}

describe('KGroupedStream.cogroup', () => {
  it('each stream updates the one aggregate of its key through its own aggregator', () => {
    const b = new StreamsBuilder()
    const clicks = b.stream<string, string>('clicks', Consumed.with(S, S)).groupByKey()
    const views = b.stream<string, string>('views', Consumed.with(S, S)).groupByKey()
    totals(b, clicks, views, Materialized.as<string, number>('totals').withValueSerde(L).withCachingDisabled()).toStream().to('out', Produced.with(S, L))
    const d = new TopologyTestDriver(b.build(), { applicationId: 'cg' })
    drivers.push(d)
    const c = d.createInputTopic('clicks', S, S)
    const v = d.createInputTopic('views', S, S)
    const out = d.createOutputTopic('out', S, L)
    c.pipeInput('ann', 'x', 1)
    v.pipeInput('ann', 'x', 2)
    v.pipeInput('bob', 'x', 3)
    c.pipeInput('ann', 'x', 4)
    c.pipeInput('bob', 'x', 5)
    expect(out.readKeyValuesToList().map((kv) => `${kv.key}=${kv.value}`)).toEqual(['ann=1', 'ann=101', 'bob=100', 'ann=102', 'bob=101'])
    const store = d.getKeyValueStore<string, number>('totals')
    expect(store.get('ann')).toBe(102)
    expect(store.get('bob')).toBe(101)
  })

  it('with the record cache, each flushed key goes out once, not once per aggregate processor', () => {
    const b = new StreamsBuilder()
    const clicks = b.stream<string, string>('clicks', Consumed.with(S, S)).groupByKey()
    const views = b.stream<string, string>('views', Consumed.with(S, S)).groupByKey()
    totals(b, clicks, views).toStream().to('out', Produced.with(S, L))
    const d = new TopologyTestDriver(b.build(), { applicationId: 'cg' })
    drivers.push(d)
    d.createInputTopic('clicks', S, S).pipeInput('ann', 'x', 1)
    d.createInputTopic('views', S, S).pipeInput('ann', 'x', 2)
    const out = d.createOutputTopic('out', S, L).readKeyValuesToList().map((kv) => `${kv.key}=${kv.value}`)
    // The driver commits after each input (as Kafka's does): two updates, each once.
    expect(out).toEqual(['ann=1', 'ann=101'])
  })

  it('a stream whose key changed is repartitioned first, named after the store, or the Grouped name', () => {
    const b = new StreamsBuilder()
    const clicks = b.stream<string, string>('clicks', Consumed.with(S, S)).groupBy((_k, user) => user, Grouped.with(S, S))
    const views = b.stream<string, string>('views', Consumed.with(S, S)).groupBy((_k, user) => user, Grouped.as<string, string>('by-user').withKeySerde(S).withValueSerde(S))
    totals(b, clicks, views, Materialized.as<string, number>('totals').withValueSerde(L).withCachingDisabled()).toStream().to('out', Produced.with(S, L))
    const topology = b.build()
    const text = topology.describe().toString()
    expect(text).toContain('totals-repartition')
    expect(text).toContain('by-user-repartition')
    const d = new TopologyTestDriver(topology, { applicationId: 'cg' })
    drivers.push(d)
    d.createInputTopic('clicks', S, S).pipeInput('page-1', 'ann', 1)
    d.createInputTopic('views', S, S).pipeInput('page-2', 'ann', 2)
    expect(d.createOutputTopic('out', S, L).readKeyValuesToList().map((kv) => `${kv.key}=${kv.value}`)).toEqual(['ann=1', 'ann=101'])
  })

  it('Named names the aggregate processors and the merge node', () => {
    const b = new StreamsBuilder()
    const clicks = b.stream<string, string>('clicks', Consumed.with(S, S)).groupByKey()
    const views = b.stream<string, string>('views', Consumed.with(S, S)).groupByKey()
    clicks.cogroup<number>((_k, _v, a) => a + 1).cogroup(views, (_k, _v, a) => a + 100).aggregate(() => 0, Named.as('tot'), Materialized.with(S, L)).toStream().to('out', Produced.with(S, L))
    const names = b.build().describe().subtopologies.flatMap((s) => s.nodes.map((n) => n.name))
    expect(names).toEqual(expect.arrayContaining(['tot-cogroup-agg-0', 'tot-cogroup-agg-1', 'tot-cogroup-merge']))
  })

  it('time windows: one aggregate per key and window, late records dropped', () => {
    const b = new StreamsBuilder()
    const clicks = b.stream<string, string>('clicks', Consumed.with(S, S)).groupByKey()
    const views = b.stream<string, string>('views', Consumed.with(S, S)).groupByKey()
    const WS = WindowedSerdes.timeWindowedSerdeFrom(S, 10)
    clicks
      .cogroup<number>((_k, _v, a) => a + 1)
      .cogroup(views, (_k, _v, a) => a + 100)
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 0))
      .aggregate(() => 0, Materialized.as<string, number>('tw').withValueSerde(L).withCachingDisabled())
      .toStream()
      .to('out', Produced.with(WS, L))
    const d = new TopologyTestDriver(b.build(), { applicationId: 'cg' })
    drivers.push(d)
    const c = d.createInputTopic('clicks', S, S)
    const v = d.createInputTopic('views', S, S)
    c.pipeInput('ann', 'x', 1)
    v.pipeInput('ann', 'x', 9)
    v.pipeInput('ann', 'x', 12)
    c.pipeInput('ann', 'x', 5) // window [0,10) closed at stream time 12 (no grace): dropped
    const fmt = (kv: { key: Windowed<string> | null; value: number | null }) => `${kv.key!.key}@${kv.key!.window.start}=${kv.value}`
    expect(d.createOutputTopic('out', WS, L).readKeyValuesToList().map(fmt)).toEqual(['ann@0=1', 'ann@0=101', 'ann@10=100'])
  })

  it('session windows: sessions merge with the merger, across both streams', () => {
    const b = new StreamsBuilder()
    const clicks = b.stream<string, string>('clicks', Consumed.with(S, S)).groupByKey()
    const views = b.stream<string, string>('views', Consumed.with(S, S)).groupByKey()
    clicks
      .cogroup<number>((_k, _v, a) => a + 1)
      .cogroup(views, (_k, _v, a) => a + 100)
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(20))
      .aggregate(() => 0, (_k, x, y) => x + y, Materialized.as<string, number>('sw').withValueSerde(L).withCachingDisabled())
      .toStream()
      .to('out', Produced.with(WindowedSerdes.sessionWindowedSerdeFrom(S), L))
    const d = new TopologyTestDriver(b.build(), { applicationId: 'cg' })
    drivers.push(d)
    const c = d.createInputTopic('clicks', S, S)
    const v = d.createInputTopic('views', S, S)
    c.pipeInput('ann', 'x', 0)
    v.pipeInput('ann', 'x', 30)
    c.pipeInput('ann', 'x', 15) // within 20 of both: the two sessions merge into [0,30]
    const last = new Map<string, number | null>()
    for (const kv of d.createOutputTopic('out', WindowedSerdes.sessionWindowedSerdeFrom(S), L).readKeyValuesToList()) {
      last.set(`${kv.key!.window.start}-${kv.key!.window.end}`, kv.value)
    }
    // The merged session holds 1 + 100 + 1; the two it replaced are deleted (null).
    expect(last.get('0-30')).toBe(102)
    expect(last.get('0-0')).toBeNull()
    expect(last.get('30-30')).toBeNull()
  })

  it('refuses sliding windows, the same grouped stream twice, and streams of another builder', () => {
    const b = new StreamsBuilder()
    const clicks = b.stream<string, string>('clicks', Consumed.with(S, S)).groupByKey()
    const cg = clicks.cogroup<number>((_k, _v, a) => a + 1)
    expect(() => cg.windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10))).toThrow(TopologyException)
    expect(() => cg.cogroup(clicks, (_k, _v, a) => a)).toThrow(/same grouped stream twice/)
    const other = new StreamsBuilder().stream<string, string>('views', Consumed.with(S, S)).groupByKey()
    expect(() => cg.cogroup(other, (_k, _v, a) => a)).toThrow(/same StreamsBuilder/)
  })

  it('on the runtime, the streams must be co-partitioned: different partition counts fail start(), naming the topics', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    closers.push(() => client.close())
    const admin = client.admin()
    await admin.createTopics([
      { topic: 'clicks', numPartitions: 2 },
      { topic: 'views', numPartitions: 3 },
    ])
    await admin.close()
    const b = new StreamsBuilder()
    totals(b, b.stream<string, string>('clicks', Consumed.with(S, S)).groupByKey(), b.stream<string, string>('views', Consumed.with(S, S)).groupByKey())
    const s = new KafkaStreams(b.build(), client, { applicationId: 'cg-copart', stateDir: tmpDir() })
    closers.push(() => s.close())
    await expect(s.start()).rejects.toThrow(/clicks.*views|views.*clicks/)
  })

  it('on the runtime, both streams count into one store, restored after a restart', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    closers.push(() => client.close())
    const admin = client.admin()
    await admin.createTopics([
      { topic: 'clicks', numPartitions: 2 },
      { topic: 'views', numPartitions: 2 },
    ])
    await admin.close()
    const p = client.producer({ lingerMs: 1 })
    await p.sendBatch([
      ...['ann', 'bob', 'ann'].map((k) => ({ topic: 'clicks', key: k, value: 'x' })),
      ...['ann', 'cat'].map((k) => ({ topic: 'views', key: k, value: 'x' })),
    ])
    await p.close()
    const run = async (stateDir: string): Promise<Map<string, number>> => {
      const b = new StreamsBuilder()
      totals(b, b.stream<string, string>('clicks', Consumed.with(S, S)).groupByKey(), b.stream<string, string>('views', Consumed.with(S, S)).groupByKey())
      const s = new KafkaStreams(b.build(), client, { applicationId: 'cg-run', stateDir, commitIntervalMs: 50 })
      await s.start()
      const want = new Map([['ann', 102], ['bob', 1], ['cat', 100]])
      const deadline = Date.now() + 30_000
      let got = new Map<string, number>()
      while (Date.now() < deadline) {
        if (s.state === 'RUNNING') {
          got = new Map(s.store('totals', QueryableStoreTypes.keyValueStore<string, number>()).all().map((e) => [e.key, e.value]))
          if ([...want].every(([k, n]) => got.get(k) === n)) break
        }
        await new Promise((r) => setTimeout(r, 20))
      }
      await s.close()
      return got
    }
    expect(await run(tmpDir())).toEqual(new Map([['ann', 102], ['bob', 1], ['cat', 100]]))
    // The same application in a fresh state dir restores the store from its changelog and counts nothing twice.
    expect(await run(tmpDir())).toEqual(new Map([['ann', 102], ['bob', 1], ['cat', 100]]))
  })
})
