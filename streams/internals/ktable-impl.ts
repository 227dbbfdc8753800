// KTable: nodes pass Change values; each table knows how to look up its
// current value for a key (its value getter) for joins.
import type { KGroupedTable, KStream, KTable } from '../dsl/kstream.js'
import type { KeyValueMapper, Predicate, ValueJoiner, ValueMapper, ValueMapperWithKey } from '../dsl/callbacks.js'
import type { KeyValue } from '../state/types.js'
import type { DslContext } from './dsl-context.js'
import type { ValueGetterSupplier } from './value-getter.js'
import type { Suppressed } from '../dsl/windows.js'
import type { Windowed } from '../dsl/windowed.js'
import { DeferredSerde, type SerdeSpec } from './serde-resolution.js'
import { type Grouped, type Materialized, Named, TableJoined } from '../dsl/options.js'
import { StoreBuilder, Stores } from '../state/store-builder.js'
import { TopologyException } from '../errors.js'
import { withKeyOrNot } from './operators/base.js'
import { ktableFilter } from './operators/ktable-filter.js'
import { ktableMapValues } from './operators/ktable-map-values.js'
import { ktableToStream } from './operators/ktable-to-stream.js'
import { ktableRepartitionMap } from './operators/ktable-repartition-map.js'
import { ktableKTableJoin, tableJoinValue, type TableJoinKind } from './operators/table-table-join.js'
import { ktableSuppress } from './operators/suppress.js'
import { fkResponseJoin, fkRightChange, fkSubscriptionLookup, fkSubscriptionReceive, fkSubscriptionSend, responseSerde, subscribersSerde, subscriptionSerde } from './operators/fk-join.js'
import { passthrough } from './operators/passthrough.js'
import { keyValueStore } from './materialize.js'
import { mappedGetter, storeGetter } from './value-getter.js'
import { changeSerde, timestampedSerde } from './change.js'
import { KStreamImpl } from './kstream-impl.js'
import { KGroupedTableImpl } from './grouped-impl.js'
import type { Serde } from '../serdes.js'

export class KTableImpl<K, V> implements KTable<K, V> {
  constructor(
    readonly ctx: DslContext,
    readonly node: string,
    readonly keySerde: SerdeSpec,
    readonly valueSerde: SerdeSpec,
    readonly storeName: string | null,
    private readonly getter: ValueGetterSupplier<K, V>,
    /** Set on windowed tables so suppression knows the grace period. */
    readonly graceMs: number | null = null,
  ) {}

  queryableStoreName(): string | null {
    return this.storeName
  }

  valueGetter(): ValueGetterSupplier<K, V> {
    return this.getter
  }

  private materialized<VR>(m: Materialized<K, VR> | undefined, prefix: string, valueSerde: SerdeSpec): { name: string; builder: StoreBuilder } | null {
    if (m === undefined) return null
    const spec = keyValueStore(this.ctx, m as Materialized<unknown, unknown>, prefix, this.keySerde, valueSerde)
    this.ctx.builder.addStateStore(spec.builder)
    return spec
  }

  filter(predicate: Predicate<K, V>, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.doFilter(predicate, false, materialized)
  }
  filterNot(predicate: Predicate<K, V>, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.doFilter(predicate, true, materialized)
  }
  private doFilter(predicate: Predicate<K, V>, not: boolean, m: Materialized<K, V> | undefined): KTable<K, V> {
    const name = this.ctx.newName('KTABLE-FILTER-')
    const store = this.materialized(m, 'KTABLE-FILTER', this.valueSerde)
    this.ctx.builder.addProcessor(name, ktableFilter(predicate as never, not, store?.name ?? null), [this.node], store === null ? [] : [store.name])
    const getter = store !== null ? storeGetter<K, V>(store.name) : mappedGetter(this.getter, (k, v) => (predicate(k, v) !== not ? v : null))
    return new KTableImpl(this.ctx, name, this.keySerde, this.valueSerde, store?.name ?? null, getter)
  }

  mapValues<VR>(mapper: ValueMapper<V, VR> | ValueMapperWithKey<K, V, VR>, materialized?: Materialized<K, VR>): KTable<K, VR> {
    const fn = withKeyOrNot<K, V, VR>(mapper)
    const name = this.ctx.newName('KTABLE-MAPVALUES-')
    const store = this.materialized(materialized, 'KTABLE-MAPVALUES', null)
    this.ctx.builder.addProcessor(name, ktableMapValues(fn as never, store?.name ?? null), [this.node], store === null ? [] : [store.name])
    const getter = store !== null ? storeGetter<K, VR>(store.name) : mappedGetter(this.getter, fn)
    return new KTableImpl(this.ctx, name, this.keySerde, (materialized?.valueSerde ?? null) as SerdeSpec, store?.name ?? null, getter)
  }

  toStream(a?: Named | KeyValueMapper<K, V, unknown>, b?: Named): KStream<K, V> {
    const mapper = typeof a === 'function' ? a : null
    const named = a instanceof Named ? a : b
    const name = this.ctx.nameOr(named?.name, 'KTABLE-TOSTREAM-')
    this.ctx.builder.addProcessor(name, ktableToStream(mapper as never), [this.node])
    return new KStreamImpl(this.ctx, name, mapper === null ? this.keySerde : null, this.valueSerde, mapper !== null)
  }

  join(other: KTable<unknown, unknown>, b: unknown, c?: unknown, d?: unknown, e?: unknown): KTable<K, never> {
    if (typeof c === 'function') return this.fkJoin(other as KTableImpl<unknown, unknown>, b as never, c as never, false, ...fkOptions<K>(d, e))
    return this.tableJoin('inner', other as KTableImpl<K, unknown>, b as never, c as never)
  }
  leftJoin(other: KTable<unknown, unknown>, b: unknown, c?: unknown, d?: unknown, e?: unknown): KTable<K, never> {
    if (typeof c === 'function') return this.fkJoin(other as KTableImpl<unknown, unknown>, b as never, c as never, true, ...fkOptions<K>(d, e))
    return this.tableJoin('left', other as KTableImpl<K, unknown>, b as never, c as never)
  }
  outerJoin<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V | null, VO | null, VR>, materialized?: Materialized<K, VR>): KTable<K, VR> {
    return this.tableJoin('outer', other as KTableImpl<K, VO>, joiner as never, materialized as never) as KTable<K, VR>
  }

  private tableJoin(kind: TableJoinKind, other: KTableImpl<K, unknown>, joiner: (l: unknown, r: unknown) => unknown, m: Materialized<K, unknown> | undefined): KTable<K, never> {
    // Kafka names table-table joins of every kind KTABLE-JOINTHIS/JOINOTHER, drawing the merge first.
    const prefix = 'KTABLE-JOIN'
    // Kafka draws the merge name first, then this and other.
    const mergeName = this.ctx.newName('KTABLE-MERGE-')
    const thisName = this.ctx.newName(`${prefix}THIS-`)
    if ((other as unknown) === this) throw new TopologyException(`${thisName} joins a table with itself; use mapValues instead`)
    const otherName = this.ctx.newName(`${prefix}OTHER-`)
    const store = this.materialized(m, 'KTABLE-MERGE', null)
    const b = this.ctx.builder
    const lg = this.getter
    const rg = other.valueGetter()
    b.addProcessor(thisName, ktableKTableJoin(kind, true, rg as never, joiner, null), [this.node], rg.storeNames)
    b.addProcessor(otherName, ktableKTableJoin(kind, false, lg as never, joiner, null), [other.node], lg.storeNames)
    b.addProcessor(mergeName, store === null ? passthrough() : ktableMapValues((_k, v) => v, store.name), [thisName, otherName], store === null ? [] : [store.name])
    b.addCopartitionGroup(thisName, [...b.upstreamTopics(this.node), ...b.upstreamTopics(other.node)])
    const getter: ValueGetterSupplier<K, never> =
      store !== null
        ? storeGetter(store.name)
        : {
            storeNames: [...lg.storeNames, ...rg.storeNames],
            init(ctx) {
              const l = lg.init(ctx)
              const r = rg.init(ctx)
              return (key) => tableJoinValue(kind, l(key), r(key), joiner) as never
            },
          }
    return new KTableImpl(this.ctx, mergeName, this.keySerde, (m?.valueSerde ?? null) as SerdeSpec, store?.name ?? null, getter)
  }

  private fkJoin(other: KTableImpl<unknown, unknown>, fk: (v: unknown) => unknown, joiner: (l: unknown, r: unknown) => unknown, left: boolean, m: Materialized<K, unknown> | undefined, joinName: string | null): KTable<K, never> {
    const ctx = this.ctx
    const b = ctx.builder
    // Every name, and the order numbers are drawn in, as Kafka's KTableImpl.doJoinOnForeignKey
    // (checked against Kafka Streams 4.1 by test/compat/topology-names.test.ts): the names become
    // the subscription/response topics and the subscription store users see.
    const P = 'KTABLE-FK-JOIN-'
    const n = (suffix: string, prefix: string): string => ctx.nameOr(joinName === null ? null : `${joinName}${suffix}`, prefix)
    const subscriptionTopic = `${n('-subscription-registration', `${P}SUBSCRIPTION-REGISTRATION-`)}-topic`
    const sendName = n('-subscription-registration-processor', `${P}SUBSCRIPTION-REGISTRATION-`)
    const subscriptionSink = n('-subscription-registration-sink', 'KTABLE-SINK-')
    const subscriptionSource = n('-subscription-registration-source', 'KTABLE-SOURCE-')
    const storeName = n('-subscription-store', `${P}SUBSCRIPTION-STATE-STORE-`)
    const receiveName = n('-subscription-receive', `${P}SUBSCRIPTION-PROCESSOR-`)
    const lookupName = n('-subscription-join-foreign', `${P}SUBSCRIPTION-PROCESSOR-`)
    const rightName = n('-foreign-join-subscription', `${P}SUBSCRIPTION-PROCESSOR-`)
    const responseTopic = `${n('-subscription-response', `${P}SUBSCRIPTION-RESPONSE-`)}-topic`
    const responseSink = n('-subscription-response-sink', 'KTABLE-SINK-')
    const responseSource = n('-subscription-response-source', 'KTABLE-SOURCE-')
    const resolveName = n('-subscription-response-resolver', `${P}SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-`)
    const outName = n('-result', `${P}OUTPUT-`)
    // Kafka always names the result store; it exists only when materialized.
    const store = m === undefined ? (ctx.newStoreName(`${P}OUTPUT`), null) : this.materialized(m, `${P}OUTPUT`, null)
    const leftKey = this.keySerde as Serde<unknown> | null
    const subSerde = new DeferredSerde(leftKey, 'key', (k) => subscriptionSerde(k) as Serde<unknown>)
    const respSerde = new DeferredSerde(other.valueSerde as Serde<unknown> | null, 'value', (v) => responseSerde(v) as Serde<unknown>)
    // 1. left table -> subscription topic (keyed by the foreign key)
    b.addProcessor(sendName, fkSubscriptionSend(fk, left, subscriptionSink, resolveName), [this.node])
    b.addInternalTopic(subscriptionTopic)
    b.addSink(subscriptionSink, subscriptionTopic, other.keySerde, subSerde, [sendName])
    b.addSource(subscriptionSource, [subscriptionTopic], other.keySerde, subSerde)
    // 2. right side: subscriptions and right-table changes -> response topic (keyed by the left key)
    b.addStateStore(new StoreBuilder(Stores.persistentKeyValueStore(storeName), other.keySerde as never, new DeferredSerde(leftKey, 'key', (k) => subscribersSerde(k) as Serde<unknown>) as never))
    const rg = other.valueGetter()
    b.addProcessor(receiveName, fkSubscriptionReceive(storeName), [subscriptionSource], [storeName])
    b.addProcessor(lookupName, fkSubscriptionLookup(rg), [receiveName], rg.storeNames)
    b.addProcessor(rightName, fkRightChange(storeName), [other.node], [storeName])
    b.addInternalTopic(responseTopic)
    b.addSink(responseSink, responseTopic, this.keySerde, respSerde, [lookupName, rightName])
    b.addSource(responseSource, [responseTopic], this.keySerde, respSerde)
    // 3. left side: join responses with the current left value
    const lg = this.getter
    b.addProcessor(resolveName, fkResponseJoin(lg as never, joiner, left), [responseSource, sendName], lg.storeNames)
    b.addCopartitionGroup(receiveName, [subscriptionTopic, ...b.upstreamTopics(other.node)])
    b.addProcessor(outName, store === null ? passthrough() : ktableMapValues((_k, v) => v, store.name), [resolveName], store === null ? [] : [store.name])
    const getter: ValueGetterSupplier<K, never> =
      store !== null
        ? storeGetter(store.name)
        : {
            storeNames: [],
            init() {
              throw new TopologyException(`${outName}: materialize the foreign-key join result (Materialized.as) to look it up or join it again`)
            },
          }
    return new KTableImpl(ctx, outName, this.keySerde, (m?.valueSerde ?? null) as SerdeSpec, store?.name ?? null, getter)
  }

  groupBy<KR, VR>(selector: KeyValueMapper<K, V, KeyValue<KR, VR>>, grouped?: Grouped<KR, VR>): KGroupedTable<KR, VR> {
    // Kafka names the select node after the Grouped name when there is one.
    const name = this.ctx.nameOr(grouped?.name, 'KTABLE-SELECT-')
    this.ctx.builder.addProcessor(name, ktableRepartitionMap(selector as never), [this.node])
    return new KGroupedTableImpl<KR, VR>(this.ctx, name, (grouped?.keySerde ?? null) as SerdeSpec, (grouped?.valueSerde ?? null) as SerdeSpec, grouped?.name ?? null)
  }

  suppress(suppressed: Suppressed): KTable<K, V> {
    // Unlike other operators, Kafka draws no number for a named suppression.
    const name = suppressed.name ?? this.ctx.newName('KTABLE-SUPPRESS-')
    if (suppressed.kind === 'untilWindowCloses' && this.graceMs === null) throw new TopologyException(`${name}: untilWindowCloses needs a windowed table (from windowedBy(...).aggregate/count/reduce)`)
    // Kafka: '<name>-store' for a named suppression, else a generated KTABLE-SUPPRESS-STATE-STORE- name.
    const storeName = suppressed.name !== null && suppressed.name !== undefined ? `${name}-store` : this.ctx.newStoreName('KTABLE-SUPPRESS')
    const vs = new DeferredSerde(this.valueSerde as Serde<unknown> | null, 'value', (inner) => timestampedSerde(inner) as Serde<unknown>)
    this.ctx.builder.addStateStore(new StoreBuilder(Stores.inMemoryKeyValueStore(storeName), this.keySerde as never, vs as never))
    // right after a windowed aggregation: its cache must hand over closing windows before they are emitted
    const upstream = suppressed.kind === 'untilWindowCloses' && this.storeName !== null ? this.storeName : null
    this.ctx.builder.addProcessor(name, ktableSuppress(storeName, suppressed, this.graceMs ?? 0, upstream), [this.node], upstream === null ? [storeName] : [storeName, upstream])
    return new KTableImpl(this.ctx, name, this.keySerde, this.valueSerde, null, this.getter, this.graceMs)
  }
}

export { changeSerde }
export type { Windowed }

/** The optional arguments of a foreign-key join: (TableJoined, Materialized) or (Materialized). */
function fkOptions<K>(d: unknown, e: unknown): [Materialized<K, unknown> | undefined, string | null] {
  if (d instanceof TableJoined) return [e as Materialized<K, unknown> | undefined, d.name]
  return [d as Materialized<K, unknown> | undefined, null]
}
