// Kafka Streams itself is the oracle for names: test/compat/java/TopologyNames.java prints
// Topology#describe() from Kafka's StreamsBuilder for a list of DSL topologies, and the same
// topologies built with Brook's DSL must name their nodes, internal topics and stores alike
// (those names become repartition/changelog topics and store directories users see).
// Brook folds Kafka's KSTREAM-WINDOWED- processors into its stream-stream join processors, so
// those nodes are left out of the node comparison; their numbers are still drawn.
import { spawnSync } from 'node:child_process'
import { expect, it } from 'vitest'
import {
  Branched, BufferConfig, Printed, Consumed, Grouped, JoinWindows, Joined, Materialized, Named, Produced, Repartitioned, Serdes, SessionWindows,
  SlidingWindows, StreamJoined, StreamsBuilder, Stores, Suppressed, TableJoined, type ProcessorContext, TimeWindows, pair, type Topology,
} from '../../streams/index.js'
import { describeWithTools, kafkaStreamsTopologyPrinter } from './helpers.js'

const S = Serdes.String()
const C = Consumed.with(S, S)
const OUT = Produced.with(S, S)

const brook: Record<string, () => Topology> = {
  'word-count': () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('text', C)
      .flatMapValues((v) => v.split(' '))
      .groupBy((_k, w) => w, Grouped.with(S, S))
      .count(Materialized.as<string, number>('counts'))
      .toStream()
      .to('word-counts', Produced.with(S, Serdes.Long()))
    return b.build()
  },
  'unnamed-count': () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('text', C).groupBy((_k, v) => v).count().toStream().mapValues((v) => String(v)).to('out', OUT)
    return b.build()
  },
  'inner-join-after-select-key': () => {
    const b = new StreamsBuilder()
    const l = b.stream<string, string>('l', C)
    const r = b.stream<string, string>('r', C)
    l.selectKey((_k, v) => v).join(r, (a, c) => a + c, JoinWindows.ofTimeDifferenceWithNoGrace(10)).to('o', OUT)
    return b.build()
  },
  'left-join-named': () => {
    const b = new StreamsBuilder()
    const l = b.stream<string, string>('l', C)
    const r = b.stream<string, string>('r', C)
    l.selectKey((_k, v) => v)
      .leftJoin(r.selectKey((_k, v) => v), (a, c) => a + (c ?? ''), JoinWindows.ofTimeDifferenceAndGrace(10, 5),
        StreamJoined.with<string, string, string>(S, S, S).withName('j').withStoreName('s'))
      .to('o', OUT)
    return b.build()
  },
  'outer-join': () => {
    const b = new StreamsBuilder()
    const l = b.stream<string, string>('l', C)
    const r = b.stream<string, string>('r', C)
    l.outerJoin(r, (a, c) => `${a}${c}`, JoinWindows.ofTimeDifferenceWithNoGrace(10)).to('o', OUT)
    return b.build()
  },
  'stream-table-left-join': () => {
    const b = new StreamsBuilder()
    const t = b.table<string, string>('t', C)
    b.stream<string, string>('s', C).selectKey((_k, v) => v)
      .leftJoin(t, (a, c) => a + (c ?? ''), Joined.with<string, string, string>(S, S, S))
      .to('o', OUT)
    return b.build()
  },
  'global-table-join': () => {
    const b = new StreamsBuilder()
    const g = b.globalTable<string, string>('g', C)
    b.stream<string, string>('s', C).join(g, (_k, v) => v, (a, c) => a + c).to('o', OUT)
    return b.build()
  },
  'table-table-join': () => {
    const b = new StreamsBuilder()
    const l = b.table<string, string>('l', C)
    const r = b.table<string, string>('r', C)
    l.join(r, (a, c) => a + c).toStream().to('o', OUT)
    return b.build()
  },
  'foreign-key-join': () => {
    const b = new StreamsBuilder()
    const orders = b.table<string, string>('orders', C)
    const customers = b.table<string, string>('customers', C)
    orders.join(customers, (v) => v, (o, c) => o + c).toStream().to('o', OUT)
    return b.build()
  },
  'to-table-after-select-key': () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('s', C).selectKey((_k, v) => v).toTable().toStream().to('o', OUT)
    return b.build()
  },
  'windowed-count-suppressed': () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('s', C).groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(100, 10))
      .count()
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
      .toStream().map((k, v) => pair(k.key, String(v))).to('o', OUT)
    return b.build()
  },
  'session-reduce': () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('s', C).groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(50))
      .reduce((a, c) => a + c)
      .toStream().map((k, v) => pair(k.key, v)).to('o', OUT)
    return b.build()
  },
  'repartition-unnamed': () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('s', C).repartition().filter((_k, v) => v !== null).to('o', OUT)
    return b.build()
  },
  'repartition-named': () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('s', C).repartition(Repartitioned.as<string, string>('rp').withNumberOfPartitions(2)).to('o', OUT)
    return b.build()
  },
  'table-group-by-aggregate': () => {
    const b = new StreamsBuilder()
    b.table<string, string>('t', C)
      .groupBy((k, v) => pair(v, k), Grouped.with(S, S))
      .count()
      .toStream().mapValues((v) => String(v)).to('o', OUT)
    return b.build()
  },
  'named-operators': () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('s', Consumed.with(S, S).withName('src'))
      .filter((_k, v) => v !== null, Named.as('f'))
      .mapValues((v) => `${v}!`, Named.as('m'))
      .peek(() => undefined)
      .to('o', Produced.with(S, S).withName('out'))
    return b.build()
  },
  'time-windowed-reduce': () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('s', C).groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(100))
      .reduce((a, c) => a + c)
      .toStream().map((k, v) => pair(k.key, v)).to('o', OUT)
    return b.build()
  },
  'reduce-then-aggregate': () => {
    const b = new StreamsBuilder()
    const s = b.stream<string, string>('s', C)
    s.groupByKey().reduce((a, c) => a + c).toStream().to('o1', OUT)
    s.groupByKey().aggregate(() => '', (_k, v, agg) => agg + v).toStream().to('o2', OUT)
    return b.build()
  },
  'split-merge': () => {
    const b = new StreamsBuilder()
    const branches = b.stream<string, string>('s', C)
      .split(Named.as('sp-'))
      .branch((_k, v) => v.startsWith('a'), Branched.as('a'))
      .defaultBranch()
    branches.get('sp-a')!.merge(branches.get('sp-0')!).to('o', OUT)
    return b.build()
  },
  'table-filter-materialized': () => {
    const b = new StreamsBuilder()
    b.table<string, string>('t', C)
      .filter((_k, v) => v !== null, Materialized.as<string, string>('kept'))
      .mapValues((v) => `${v}!`)
      .toStream().to('o', OUT)
    return b.build()
  },
  'table-left-and-outer-joins': () => {
    const b = new StreamsBuilder()
    const l = b.table<string, string>('l', Consumed.with(S, S).withName('lt'))
    const r = b.table<string, string>('r', C)
    l.leftJoin(r, (a, c) => a + (c ?? '')).toStream().to('o1', OUT)
    l.outerJoin(r, (a, c) => (a ?? '') + (c ?? '')).toStream().to('o2', OUT)
    return b.build()
  },
  'foreign-key-left-join-named-materialized': () => {
    const b = new StreamsBuilder()
    const orders = b.table<string, string>('orders', C)
    const customers = b.table<string, string>('customers', C)
    orders.leftJoin(customers, (v) => v, (o, c) => o + (c ?? ''), TableJoined.as<string, string>('fk'), Materialized.as<string, string>('joined')).toStream().to('o', OUT)
    return b.build()
  },
  'sliding-count': () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('s', C).groupByKey()
      .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(100))
      .count()
      .toStream().map((k, v) => pair(k.key, String(v))).to('o', OUT)
    return b.build()
  },
  'process-then-group': () => {
    const b = new StreamsBuilder()
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('seen'), S, S))
    b.stream<string, string>('s', C)
      .process<string, string>(() => {
        let ctx: ProcessorContext<string, string>
        return {
          init(c) {
            ctx = c
          },
          process(r) {
            ctx.forward(r)
          },
        }
      }, 'seen')
      .flatMap((k, v) => [pair(v, k)])
      .groupByKey(Grouped.as<string, string>('g').withKeySerde(S).withValueSerde(S))
      .reduce((a, c) => a + c, Materialized.as<string, string>('reduced'))
      .toStream().to('o', OUT)
    return b.build()
  },
  'table-group-by-reduce-named': () => {
    const b = new StreamsBuilder()
    b.table<string, string>('t', C)
      .groupBy((k, v) => pair(v, k), Grouped.as<string, string>('by-value').withKeySerde(S).withValueSerde(S))
      .reduce((a, c) => a + c, (a) => a)
      .suppress(Suppressed.untilTimeLimit(50, BufferConfig.maxRecords(10)).withName('limit'))
      .toStream().to('o', OUT)
    return b.build()
  },
  cogroup: () => {
    const b = new StreamsBuilder()
    const x = b.stream<string, string>('a', C).groupByKey()
    const y = b.stream<string, string>('b', C).groupByKey()
    x.cogroup<number>((_k, _v, agg) => agg + 1).cogroup(y, (_k, _v, agg) => agg + 10)
      .aggregate(() => 0, Materialized.with(S, Serdes.Long()))
      .toStream().to('o', Produced.with(S, Serdes.Long()))
    return b.build()
  },
  'cogroup-one-repartition': () => {
    const b = new StreamsBuilder()
    const x = b.stream<string, string>('a', C).groupBy((_k, v) => v)
    const y = b.stream<string, string>('b', C).groupByKey()
    x.cogroup<number>((_k, _v, agg) => agg + 1).cogroup(y, (_k, _v, agg) => agg + 10)
      .aggregate(() => 0, Materialized.with(S, Serdes.Long()))
      .toStream().to('o', Produced.with(S, Serdes.Long()))
    return b.build()
  },
  'cogroup-named': () => {
    const b = new StreamsBuilder()
    const x = b.stream<string, string>('a', C).groupBy((_k, v) => v, Grouped.as('ga'))
    const y = b.stream<string, string>('b', C).groupByKey()
    x.cogroup<number>((_k, _v, agg) => agg + 1).cogroup(y, (_k, _v, agg) => agg + 10)
      .aggregate(() => 0, Named.as('cg'), Materialized.as<string, number>('cg-store').withValueSerde(Serdes.Long()))
      .toStream().to('o', Produced.with(S, Serdes.Long()))
    return b.build()
  },
  'cogroup-time-windows': () => {
    const b = new StreamsBuilder()
    const x = b.stream<string, string>('a', C).groupByKey()
    const y = b.stream<string, string>('b', C).groupByKey()
    x.cogroup<number>((_k, _v, agg) => agg + 1).cogroup(y, (_k, _v, agg) => agg + 10)
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
      .aggregate(() => 0, Materialized.with(S, Serdes.Long()))
      .toStream().to('o')
    return b.build()
  },
  print: () => {
    const b = new StreamsBuilder()
    const s = b.stream<string, string>('a', C)
    s.print(Printed.toSysOut())
    s.mapValues((v) => `${v}!`).print(Printed.toSysOut<string, string>().withLabel('x').withName('shown'))
    s.to('o', OUT)
    return b.build()
  },
  'cogroup-session-windows': () => {
    const b = new StreamsBuilder()
    const x = b.stream<string, string>('a', C).groupByKey()
    const y = b.stream<string, string>('b', C).groupByKey()
    x.cogroup<number>((_k, _v, agg) => agg + 1).cogroup(y, (_k, _v, agg) => agg + 10)
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10))
      .aggregate(() => 0, (_k, l, r) => l + r, Named.as('sess'), Materialized.with(S, Serdes.Long()))
      .toStream().to('o')
    return b.build()
  },
}

interface Described {
  /** node name -> "Source topics [...]" / "Sink topic ..." / "Processor"; stores listed apart */
  nodes: Map<string, string>
  stores: Set<string>
  topics: Set<string>
  /** each sub-topology's node names, sorted, in sub-topology order */
  subtopologies: string[][]
}

// Brook materializes every KTable read from a topic (builder.table, toTable) so that it can be
// looked up and joined at once; Kafka materializes those only when something downstream needs a
// value getter. The store Brook adds has the name Kafka would give it. Listed per topology, and
// each must be present, so this list cannot go stale silently.
const EXTRA_BROOK_STORES: Record<string, string[]> = {
  'to-table-after-select-key': ['KSTREAM-TOTABLE-STATE-STORE-0000000003'],
  'table-filter-materialized': ['t-STATE-STORE-0000000000'],
  // Brook's sliding-window aggregate keeps the records of the last window size in a second store.
  'sliding-count': ['KSTREAM-AGGREGATE-STATE-STORE-0000000001-records'],
}

const FOLDED = /^KSTREAM-WINDOWED-\d{10}$|-windowed$/

/** Reads the text form both sides print (Kafka's TopologyDescription#toString layout). */
function parse(text: string): Described {
  const d: Described = { nodes: new Map(), stores: new Set(), topics: new Set(), subtopologies: [] }
  for (const line of text.split('\n')) {
    if (/^\s*Sub-topology: /.test(line)) {
      d.subtopologies.push([])
      continue
    }
    const m = /^\s*(Source|Processor|Sink): (\S+) \((topics|stores|topic): \[?([^\])]*)\]?\)/.exec(line)
    if (m === null) continue
    const [, kind, name, , list] = m as unknown as [string, string, string, string, string]
    const items = list.split(',').map((s) => s.trim()).filter((s) => s !== '')
    if (kind === 'Processor') {
      for (const s of items) d.stores.add(s)
    } else {
      for (const t of items) d.topics.add(t)
    }
    if (FOLDED.test(name)) continue
    d.nodes.set(name, kind === 'Processor' ? 'Processor' : `${kind} ${items.join(',')}`)
    d.subtopologies[d.subtopologies.length - 1]!.push(name)
  }
  for (const s of d.subtopologies) s.sort()
  return d
}

function kafkaDescriptions(): Map<string, string> {
  const { cmd, args } = kafkaStreamsTopologyPrinter()
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000 })
  if (r.status !== 0) throw new Error(`TopologyNames failed (${r.status}): ${r.stderr}`)
  const out = new Map<string, string>()
  for (const part of r.stdout.split(/^=== /m).slice(1)) {
    const nl = part.indexOf('\n')
    out.set(part.slice(0, nl).trim(), part.slice(nl + 1))
  }
  return out
}

describeWithTools("Brook's topology names against Kafka Streams' own", ['java'], () => {
  it('names nodes, internal topics and stores as Kafka Streams 4.1 does, topology by topology', () => {
    const kafka = kafkaDescriptions()
    expect([...kafka.keys()].sort()).toEqual(Object.keys(brook).sort())
    const mismatches: string[] = []
    for (const [id, build] of Object.entries(brook)) {
      const want = parse(kafka.get(id)!)
      const got = parse(build().describe().toString())
      const diff = (what: string, a: Iterable<string>, b: Iterable<string>): void => {
        const wa = [...a].sort()
        const gb = [...b].sort()
        if (JSON.stringify(wa) !== JSON.stringify(gb)) mismatches.push(`${id}: ${what}\n  kafka: ${wa.join(' ')}\n  brook: ${gb.join(' ')}`)
      }
      for (const extra of EXTRA_BROOK_STORES[id] ?? []) {
        if (!got.stores.delete(extra)) mismatches.push(`${id}: the known extra store ${extra} is gone; update EXTRA_BROOK_STORES`)
      }
      diff('stores', want.stores, got.stores)
      diff('topics', want.topics, got.topics)
      diff('nodes', [...want.nodes].map(([n, k]) => `${n}=${k}`), [...got.nodes].map(([n, k]) => `${n}=${k}`))
      diff('sub-topologies', want.subtopologies.map((s) => s.join('+')), got.subtopologies.map((s) => s.join('+')))
    }
    expect(mismatches.join('\n')).toBe('')
  }, 180_000)
})
