// Grouped streams and tables and their (windowed) aggregations. A grouping
// after a key change inserts the repartition topic here, named after the
// Grouped name or the aggregation's store.
import type { CogroupedKStream, KGroupedStream, KGroupedTable, KTable, SessionWindowedKStream, TimeWindowedKStream } from '../dsl/kstream.js'
import type { Aggregator, Initializer, Merger, Reducer } from '../dsl/callbacks.js'
import type { DslContext } from './dsl-context.js'
import type { Windowed } from '../dsl/windowed.js'
import type { Serde } from '../serdes.js'
import type { KStreamImpl } from './kstream-impl.js'
import { Materialized, Named } from '../dsl/options.js'
import { SessionWindows, SlidingWindows, TimeWindows } from '../dsl/windows.js'
import { Serdes, WindowedSerdes } from '../serdes.js'
import { StoreBuilder, Stores } from '../state/store-builder.js'
import { DeferredSerde, type SerdeSpec } from './serde-resolution.js'
import { insertRepartition, insertTableRepartition } from './repartition.js'
import { keyValueStore, sessionStore, windowStore } from './materialize.js'
import { storeGetter, type ValueGetterSupplier } from './value-getter.js'
import { aggregateStep, kstreamAggregate } from './operators/aggregate.js'
import { ktableAggregate } from './operators/ktable-aggregate.js'
import { kstreamWindowAggregate } from './operators/window-aggregate.js'
import { kstreamSlidingWindowAggregate } from './operators/sliding-window-aggregate.js'
import { kstreamSessionWindowAggregate } from './operators/session-window-aggregate.js'
import { changeSerde } from './change.js'
import { KTableImpl } from './ktable-impl.js'
import { CogroupedKStreamImpl } from './cogrouped-impl.js'

type M = Materialized<unknown, unknown> | undefined
type Step = (old: unknown, key: unknown, value: unknown) => unknown

const countStep: Step = (old) => ((old as number | null) ?? 0) + 1
const reduceStep =
  (reducer: Reducer<unknown>): Step =>
  (old, _k, v) =>
    old === null ? v : reducer(old, v)

function countMaterialized(a: unknown, b: unknown): M {
  const m = (a instanceof Materialized ? a : b) as M
  return m?.valueSerde === null || m?.valueSerde === undefined ? (m ?? Materialized.with(null, null)).withValueSerde(Serdes.Long() as Serde<unknown>) : m
}

function noLog(): (m: string) => void {
  return () => {}
}

export class KGroupedStreamImpl<K, V> implements KGroupedStream<K, V> {
  constructor(
    private readonly stream: KStreamImpl<K, V>,
    private readonly keySerde: SerdeSpec,
    private readonly valueSerde: SerdeSpec,
    private readonly groupName: string | null,
  ) {}

  /** @internal */
  get ctx(): DslContext {
    return this.stream.ctx
  }

  /** @internal the grouping's key serde (cogroup's table takes the first stream's) */
  get groupKeySerde(): SerdeSpec {
    return this.keySerde
  }

  cogroup<VOut>(aggregator: Aggregator<K, V, VOut>): CogroupedKStream<K, VOut> {
    return new CogroupedKStreamImpl<K, VOut>([{ grouped: this as KGroupedStreamImpl<K, unknown>, aggregator: aggregator as Aggregator<K, unknown, VOut> }])
  }

  /** @internal The node to aggregate from: the stream itself, or the source of a new repartition topic (named after the Grouped name, else the store). */
  input(storeName: string): string {
    if (!this.stream.repartitionRequired) return this.stream.node
    return insertRepartition(this.ctx, this.stream.node, this.groupName ?? storeName, this.keySerde, this.valueSerde).sourceNode
  }

  private aggregateInto<VA>(prefix: string, m: M, step: Step, aggSerde: SerdeSpec, named?: Named): KTable<K, VA> {
    const store = keyValueStore(this.ctx, m, `KSTREAM-${prefix}`, this.keySerde, aggSerde)
    const name = this.ctx.nameOr(named?.name, `KSTREAM-${prefix}-`)
    const from = this.input(store.name)
    this.ctx.builder.addStateStore(store.builder)
    this.ctx.builder.addProcessor(name, kstreamAggregate(store.name, step), [from], [store.name])
    return new KTableImpl<K, VA>(this.ctx, name, store.builder.keySerde as SerdeSpec, store.builder.valueSerde as SerdeSpec, store.name, storeGetter(store.name))
  }

  count(a?: Named | Materialized<K, number>, b?: Materialized<K, number>): KTable<K, number> {
    return this.aggregateInto('AGGREGATE', countMaterialized(a, b), countStep, null, a instanceof Named ? a : undefined)
  }
  reduce(reducer: Reducer<V>, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.aggregateInto('REDUCE', materialized as M, reduceStep(reducer as Reducer<unknown>), this.valueSerde)
  }
  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, materialized?: Materialized<K, VA>): KTable<K, VA> {
    return this.aggregateInto('AGGREGATE', materialized as M, aggregateStep(initializer, aggregator as never), null)
  }

  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>
  windowedBy(windows: TimeWindows | SlidingWindows | SessionWindows): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    return new WindowedKStreamImpl<K, V>(this, windows)
  }

  /** @internal for windowed aggregations */
  windowedInto<VA>(
    windows: TimeWindows | SlidingWindows | SessionWindows,
    m: M,
    aggSerde: SerdeSpec,
    init: Initializer<unknown>,
    agg: Aggregator<unknown, unknown, unknown>,
    merger: Merger<unknown, unknown> | null,
    /** Kafka's operator word: AGGREGATE for count/aggregate, REDUCE for reduce. */
    op: 'AGGREGATE' | 'REDUCE' = 'AGGREGATE',
  ): KTable<Windowed<K>, VA> {
    const ctx = this.ctx
    const prefix = `KSTREAM-${op}`
    const b = ctx.builder
    const log = noLog()
    let storeName: string
    let name: string
    let grace: number
    let keySerde: SerdeSpec
    if (windows instanceof TimeWindows) {
      const store = windowStore(ctx, m, prefix, this.keySerde, aggSerde, windows.sizeMs, windows.sizeMs + windows.graceMs)
      storeName = store.name
      name = ctx.newName(`${prefix}-`)
      const from = this.input(store.name)
      b.addStateStore(store.builder)
      b.addProcessor(name, kstreamWindowAggregate(store.name, windows, aggregateStep(init, agg), log), [from], [store.name])
      grace = windows.graceMs
      keySerde = new DeferredSerde(this.keySerde as Serde<unknown> | null, 'key', (inner) => WindowedSerdes.timeWindowedSerdeFrom(inner, windows.sizeMs) as Serde<unknown>)
    } else if (windows instanceof SlidingWindows) {
      const d = windows.timeDifferenceMs
      const store = windowStore(ctx, m, prefix, this.keySerde, aggSerde, d, 2 * d + windows.graceMs + 1)
      storeName = store.name
      name = ctx.newName(`${prefix}-`)
      const from = this.input(store.name)
      const recordsStore = `${store.name}-records`
      b.addStateStore(store.builder)
      const rb = new StoreBuilder(Stores.persistentWindowStore(recordsStore, 4 * d + windows.graceMs + 2, 0, true), this.keySerde as Serde<unknown> | null, this.valueSerde as Serde<unknown> | null)
      b.addStateStore(store.builder.loggingEnabled ? rb : rb.withLoggingDisabled())
      b.addProcessor(name, kstreamSlidingWindowAggregate(store.name, recordsStore, windows, init, agg, log), [from], [store.name, recordsStore])
      grace = windows.graceMs
      keySerde = new DeferredSerde(this.keySerde as Serde<unknown> | null, 'key', (inner) => WindowedSerdes.timeWindowedSerdeFrom(inner, d) as Serde<unknown>)
    } else {
      // a session ending up to one gap before close time can still be merged into a live one
      const store = sessionStore(ctx, m, prefix, this.keySerde, aggSerde, 2 * windows.inactivityGapMs + windows.graceMs + 1)
      storeName = store.name
      name = ctx.newName(`${prefix}-`)
      const from = this.input(store.name)
      b.addStateStore(store.builder)
      b.addProcessor(name, kstreamSessionWindowAggregate(store.name, windows, init, agg, merger ?? ((_k, a) => a), log), [from], [store.name])
      // A session stays open for one inactivity gap after its end, then grace (as in Kafka Streams).
      grace = windows.inactivityGapMs + windows.graceMs
      keySerde = new DeferredSerde(this.keySerde as Serde<unknown> | null, 'key', (inner) => WindowedSerdes.sessionWindowedSerdeFrom(inner) as Serde<unknown>)
    }
    const noGetter: ValueGetterSupplier<Windowed<K>, VA> = {
      storeNames: [],
      init: () => () => {
        throw new Error(`windowed table ${storeName} cannot be looked up by key`)
      },
    }
    const vs = (m?.valueSerde ?? aggSerde) as SerdeSpec
    return new KTableImpl<Windowed<K>, VA>(ctx, name, keySerde, vs, storeName, noGetter, grace)
  }
}

class WindowedKStreamImpl<K, V> implements TimeWindowedKStream<K, V>, SessionWindowedKStream<K, V> {
  constructor(
    private readonly grouped: KGroupedStreamImpl<K, V>,
    private readonly windows: TimeWindows | SlidingWindows | SessionWindows,
  ) {}
  count(materialized?: Materialized<K, number>): KTable<Windowed<K>, number> {
    const m = countMaterialized(materialized, undefined)
    return this.grouped.windowedInto(this.windows, m, m?.valueSerde as SerdeSpec, () => 0, (_k, _v, a) => (a as number) + 1, (_k, a, b) => (a as number) + (b as number))
  }
  reduce(reducer: Reducer<V>, materialized?: Materialized<K, V>): KTable<Windowed<K>, V> {
    const r = reducer as Reducer<unknown>
    const NONE = Symbol('none')
    // reduce has no initializer: the first value of a window is its aggregate
    return this.grouped.windowedInto(
      this.windows,
      materialized as M,
      (this.grouped as unknown as { valueSerde: SerdeSpec }).valueSerde,
      () => NONE,
      (_k, v, a) => (a === NONE ? v : r(a, v)),
      (_k, a, b) => (a === NONE ? b : b === NONE ? a : r(a, b)),
      'REDUCE',
    )
  }
  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, a?: Merger<K, VA> | Materialized<K, VA>, b?: Materialized<K, VA>): KTable<Windowed<K>, VA> {
    const merger = typeof a === 'function' ? a : null
    const m = (typeof a === 'function' ? b : a) as M
    if (this.windows instanceof SessionWindows && merger === null) throw new Error('session-windowed aggregate needs a merger')
    return this.grouped.windowedInto(this.windows, m, null, initializer, aggregator as never, merger as never)
  }
}

export class KGroupedTableImpl<K, V> implements KGroupedTable<K, V> {
  constructor(
    private readonly ctx: DslContext,
    private readonly node: string,
    private readonly keySerde: SerdeSpec,
    private readonly valueSerde: SerdeSpec,
    private readonly groupName: string | null,
  ) {}

  private into<VA>(prefix: string, m: M, aggSerde: SerdeSpec, init: (() => unknown) | null, adder: Aggregator<unknown, unknown, unknown>, sub: Aggregator<unknown, unknown, unknown>): KTable<K, VA> {
    // Kafka's KGroupedTable names every store KTABLE-AGGREGATE-STATE-STORE-, reduce included.
    const store = keyValueStore(this.ctx, m, 'KTABLE-AGGREGATE', this.keySerde, aggSerde)
    const cs = new DeferredSerde(this.valueSerde as Serde<unknown> | null, 'value', (inner) => changeSerde(inner) as Serde<unknown>)
    // Kafka draws the repartition's sink and source names before the aggregation's.
    const { sourceNode } = insertTableRepartition(this.ctx, this.node, this.groupName ?? store.name, this.keySerde, cs)
    const name = this.ctx.newName(`KTABLE-${prefix}-`)
    this.ctx.builder.addStateStore(store.builder)
    this.ctx.builder.addProcessor(name, ktableAggregate(store.name, init, adder, sub), [sourceNode], [store.name])
    return new KTableImpl<K, VA>(this.ctx, name, store.builder.keySerde as SerdeSpec, store.builder.valueSerde as SerdeSpec, store.name, storeGetter(store.name))
  }

  count(materialized?: Materialized<K, number>): KTable<K, number> {
    return this.into('AGGREGATE', countMaterialized(materialized, undefined), null, () => 0, (_k, _v, a) => (a as number) + 1, (_k, _v, a) => (a as number) - 1)
  }
  reduce(adder: Reducer<V>, subtractor: Reducer<V>, materialized?: Materialized<K, V>): KTable<K, V> {
    const add = adder as Reducer<unknown>
    const sub = subtractor as Reducer<unknown>
    return this.into('REDUCE', materialized as M, this.valueSerde, null, (_k, v, a) => add(a, v), (_k, v, a) => sub(a, v))
  }
  aggregate<VA>(initializer: Initializer<VA>, adder: Aggregator<K, V, VA>, subtractor: Aggregator<K, V, VA>, materialized?: Materialized<K, VA>): KTable<K, VA> {
    return this.into('AGGREGATE', materialized as M, null, initializer, adder as never, subtractor as never)
  }
}
