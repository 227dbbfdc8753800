// Co-aggregation (KIP-150, Kafka's CogroupedKStream): several grouped streams update one aggregate
// per key, each through its own aggregator, in one store. Named and numbered as Kafka Streams does:
// the store first, then each stream's repartition, one COGROUPKSTREAM-AGGREGATE processor per
// stream (all on the store), and a COGROUPKSTREAM-MERGE node the table comes from.
import type { Aggregator, Initializer, Merger } from '../dsl/callbacks.js'
import type { CogroupedKStream, KGroupedStream, KTable, SessionWindowedCogroupedKStream, TimeWindowedCogroupedKStream } from '../dsl/kstream.js'
import type { Windowed } from '../dsl/windowed.js'
import { Named, type Materialized } from '../dsl/options.js'
import { SlidingWindows, TimeWindows, type SessionWindows } from '../dsl/windows.js'
import { TopologyException } from '../errors.js'
import { WindowedSerdes, type Serde } from '../serdes.js'
import type { DslContext } from './dsl-context.js'
import type { KGroupedStreamImpl } from './grouped-impl.js'
import { KTableImpl } from './ktable-impl.js'
import { keyValueStore, sessionStore, windowStore, type MaterializeSpec } from './materialize.js'
import { aggregateStep, kstreamAggregate } from './operators/aggregate.js'
import { passthrough } from './operators/passthrough.js'
import { kstreamSessionWindowAggregate } from './operators/session-window-aggregate.js'
import { kstreamWindowAggregate } from './operators/window-aggregate.js'
import type { AnyProcessor } from './topology-builder.js'
import { DeferredSerde, type SerdeSpec } from './serde-resolution.js'
import { storeGetter, type ValueGetterSupplier } from './value-getter.js'

const PREFIX = 'COGROUPKSTREAM-AGGREGATE'

interface Pattern<K, VOut> {
  grouped: KGroupedStreamImpl<K, unknown>
  aggregator: Aggregator<K, unknown, VOut>
}

type M = Materialized<unknown, unknown> | undefined

/** The optional (named?, materialized?) tail of Kafka's aggregate overloads. */
function tail<K, V>(a: Named | Materialized<K, V> | undefined, b: Materialized<K, V> | undefined): { named: Named | undefined; m: M } {
  return a instanceof Named ? { named: a, m: b as M } : { named: undefined, m: a as M }
}

export class CogroupedKStreamImpl<K, VOut> implements CogroupedKStream<K, VOut> {
  constructor(private readonly patterns: ReadonlyArray<Pattern<K, VOut>>) {}

  private get ctx(): DslContext {
    return this.patterns[0]!.grouped.ctx
  }

  cogroup<VIn>(groupedStream: KGroupedStream<K, VIn>, aggregator: Aggregator<K, VIn, VOut>): CogroupedKStream<K, VOut> {
    const grouped = groupedStream as unknown as KGroupedStreamImpl<K, unknown>
    if (grouped.ctx !== this.ctx) throw new TopologyException('cogroup() takes grouped streams of the same StreamsBuilder')
    if (this.patterns.some((p) => p.grouped === grouped)) throw new TopologyException('cogroup() was given the same grouped stream twice')
    return new CogroupedKStreamImpl<K, VOut>([...this.patterns, { grouped, aggregator: aggregator as Aggregator<K, unknown, VOut> }])
  }

  aggregate(initializer: Initializer<VOut>, a?: Named | Materialized<K, VOut>, b?: Materialized<K, VOut>): KTable<K, VOut> {
    const { named, m } = tail(a, b)
    const keySerde = this.patterns[0]!.grouped.groupKeySerde
    const store = keyValueStore(this.ctx, m, PREFIX, keySerde, null)
    const merge = this.build(store, named, (agg) => kstreamAggregate(store.name, aggregateStep(initializer as Initializer<unknown>, agg as Aggregator<unknown, unknown, unknown>)))
    return new KTableImpl<K, VOut>(this.ctx, merge, store.builder.keySerde as SerdeSpec, store.builder.valueSerde as SerdeSpec, store.name, storeGetter(store.name))
  }

  windowedBy(windows: TimeWindows): TimeWindowedCogroupedKStream<K, VOut>
  windowedBy(windows: SessionWindows): SessionWindowedCogroupedKStream<K, VOut>
  windowedBy(windows: SlidingWindows): never
  windowedBy(windows: TimeWindows | SessionWindows | SlidingWindows): TimeWindowedCogroupedKStream<K, VOut> | SessionWindowedCogroupedKStream<K, VOut> {
    if (windows instanceof SlidingWindows) {
      throw new TopologyException("cogroup().windowedBy(SlidingWindows) is not supported: Brook's sliding-window aggregation keeps each window's input records, which cogrouped streams give of several types")
    }
    if (windows instanceof TimeWindows) {
      return {
        aggregate: (initializer: Initializer<VOut>, a?: Named | Materialized<K, VOut>, b?: Materialized<K, VOut>) => {
          const { named, m } = tail(a, b)
          const store = windowStore(this.ctx, m, PREFIX, this.patterns[0]!.grouped.groupKeySerde, null, windows.sizeMs, windows.sizeMs + windows.graceMs)
          const merge = this.build(store, named, (agg) => kstreamWindowAggregate(store.name, windows, aggregateStep(initializer as Initializer<unknown>, agg as Aggregator<unknown, unknown, unknown>), () => {}))
          const keySerde = new DeferredSerde(this.patterns[0]!.grouped.groupKeySerde as Serde<unknown> | null, 'key', (inner) => WindowedSerdes.timeWindowedSerdeFrom(inner, windows.sizeMs) as Serde<unknown>)
          return this.windowedTable(merge, store, keySerde, windows.graceMs)
        },
      }
    }
    return {
      aggregate: (initializer: Initializer<VOut>, merger: Merger<K, VOut>, a?: Named | Materialized<K, VOut>, b?: Materialized<K, VOut>) => {
        const { named, m } = tail(a, b)
        // As a session aggregation of one stream: a session ending up to one gap before close time can still merge.
        const store = sessionStore(this.ctx, m, PREFIX, this.patterns[0]!.grouped.groupKeySerde, null, 2 * windows.inactivityGapMs + windows.graceMs + 1)
        const merge = this.build(store, named, (agg) =>
          kstreamSessionWindowAggregate(store.name, windows, initializer as Initializer<unknown>, agg as Aggregator<unknown, unknown, unknown>, merger as Merger<unknown, unknown>, () => {}),
        )
        const keySerde = new DeferredSerde(this.patterns[0]!.grouped.groupKeySerde as Serde<unknown> | null, 'key', (inner) => WindowedSerdes.sessionWindowedSerdeFrom(inner) as Serde<unknown>)
        return this.windowedTable(merge, store, keySerde, windows.inactivityGapMs + windows.graceMs)
      },
    }
  }

  /**
   * Adds the store, each stream's repartition (when its key changed), one aggregate processor per
   * stream and the merge node, in Kafka's order; the streams are co-partitioned. Returns the merge node.
   */
  private build(store: MaterializeSpec, named: Named | undefined, processor: (aggregator: Aggregator<K, unknown, VOut>) => () => AnyProcessor): string {
    const ctx = this.ctx
    const b = ctx.builder
    const inputs = this.patterns.map((p) => p.grouped.input(store.name))
    b.addStateStore(store.builder)
    const given = named?.name ?? null
    const aggregates = this.patterns.map((p, i) => {
      const name = ctx.nameOr(given === null ? null : `${given}-cogroup-agg-${i}`, `${PREFIX}-`)
      b.addProcessor(name, processor(p.aggregator), [inputs[i]!], [store.name])
      return name
    })
    const merge = ctx.nameOr(given === null ? null : `${given}-cogroup-merge`, 'COGROUPKSTREAM-MERGE-')
    b.addProcessor(merge, passthrough(), aggregates)
    if (inputs.length > 1) b.addCopartitionGroup(merge, inputs.flatMap((n) => b.upstreamTopics(n)))
    return merge
  }

  private windowedTable(merge: string, store: MaterializeSpec, keySerde: SerdeSpec, grace: number): KTable<Windowed<K>, VOut> {
    const noGetter: ValueGetterSupplier<Windowed<K>, VOut> = {
      storeNames: [],
      init: () => () => {
        throw new Error(`windowed table ${store.name} cannot be looked up by key`)
      },
    }
    return new KTableImpl<Windowed<K>, VOut>(this.ctx, merge, keySerde, store.builder.valueSerde as SerdeSpec, store.name, noGetter, grace)
  }
}
