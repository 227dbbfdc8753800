// KStream: each operator names a node, adds its processor to the graph and
// returns a new KStream over that node. Key-changing operators mark the
// stream so the next grouping or join inserts a repartition topic.
import type { BranchedKStream, GlobalKTable, KGroupedStream, KStream, KTable, RecordContextInfo, StreamedRecord } from '../dsl/kstream.js'
import type { ForeachAction, KeyValueMapper, Predicate, ValueJoiner, ValueMapper, ValueMapperWithKey } from '../dsl/callbacks.js'
import type { FixedKeyProcessorSupplier, ProcessorSupplier } from '../processor/api.js'
import type { KeyValue } from '../state/types.js'
import type { AnyProcessor } from './topology-builder.js'
import type { DslContext } from './dsl-context.js'
import type { SerdeSpec } from './serde-resolution.js'
import type { JoinWindows } from '../dsl/windows.js'
import type { Branched } from '../dsl/branched.js'
import { type Grouped, type Joined, Materialized, Named, type Produced, type Repartitioned, type StreamJoined } from '../dsl/options.js'
import { Stores, StoreBuilder } from '../state/store-builder.js'
import { TopologyException } from '../errors.js'
import { withKeyOrNot } from './operators/base.js'
import { kstreamFilter } from './operators/filter.js'
import { kstreamMap } from './operators/map.js'
import { kstreamMapValues } from './operators/map-values.js'
import { kstreamFlatMap } from './operators/flat-map.js'
import { kstreamFlatMapValues } from './operators/flat-map-values.js'
import { kstreamSelectKey } from './operators/select-key.js'
import { kstreamPeek, kstreamToSubject } from './operators/peek.js'
import { Subject, type Observable } from 'rxjs'
import { kstreamBranch } from './operators/branch.js'
import { passthrough } from './operators/passthrough.js'
import { ktableSource } from './operators/ktable-source.js'
import { kstreamKStreamJoin } from './operators/stream-stream-join.js'
import { kstreamKTableJoin } from './operators/stream-table-join.js'
import { insertRepartition } from './repartition.js'
import { keyValueStore } from './materialize.js'
import { KTableImpl } from './ktable-impl.js'
import { KGroupedStreamImpl } from './grouped-impl.js'
import { kstreamPrint } from './operators/print.js'
import type { Printed } from '../dsl/printed.js'
import { storeGetter, type ValueGetterSupplier } from './value-getter.js'
import { Serdes, type Serde } from '../serdes.js'

type Fn = (...args: never[]) => unknown

export class KStreamImpl<K, V> implements KStream<K, V> {
  private repartitioned: KStreamImpl<K, V> | null = null

  constructor(
    readonly ctx: DslContext,
    readonly node: string,
    readonly keySerde: SerdeSpec,
    readonly valueSerde: SerdeSpec,
    readonly repartitionRequired: boolean,
  ) {}

  private add<KR, VR>(prefix: string, named: Named | undefined, supplier: () => AnyProcessor, keySerde: SerdeSpec, valueSerde: SerdeSpec, repartition: boolean, stores: string[] = []): KStreamImpl<KR, VR> {
    return this.addAs(this.ctx.nameOr(named?.name, prefix), supplier, keySerde, valueSerde, repartition, stores)
  }

  private addAs<KR, VR>(name: string, supplier: () => AnyProcessor, keySerde: SerdeSpec, valueSerde: SerdeSpec, repartition: boolean, stores: string[] = []): KStreamImpl<KR, VR> {
    this.ctx.builder.addProcessor(name, supplier, [this.node], stores)
    return new KStreamImpl<KR, VR>(this.ctx, name, keySerde, valueSerde, repartition)
  }

  filter(predicate: Predicate<K, V>, named?: Named): KStream<K, V> {
    return this.add('KSTREAM-FILTER-', named, kstreamFilter(predicate as Fn as never, false), this.keySerde, this.valueSerde, this.repartitionRequired)
  }
  filterNot(predicate: Predicate<K, V>, named?: Named): KStream<K, V> {
    return this.add('KSTREAM-FILTER-', named, kstreamFilter(predicate as Fn as never, true), this.keySerde, this.valueSerde, this.repartitionRequired)
  }
  map<KR, VR>(mapper: KeyValueMapper<K, V, KeyValue<KR, VR>>, named?: Named): KStream<KR, VR> {
    return this.add('KSTREAM-MAP-', named, kstreamMap(mapper as Fn as never), null, null, true)
  }
  mapValues<VR>(mapper: ValueMapper<V, VR> | ValueMapperWithKey<K, V, VR>, named?: Named): KStream<K, VR> {
    return this.add('KSTREAM-MAPVALUES-', named, kstreamMapValues(withKeyOrNot<K, V, VR>(mapper) as never), this.keySerde, null, this.repartitionRequired)
  }
  flatMap<KR, VR>(mapper: KeyValueMapper<K, V, Iterable<KeyValue<KR, VR>>>, named?: Named): KStream<KR, VR> {
    return this.add('KSTREAM-FLATMAP-', named, kstreamFlatMap(mapper as Fn as never), null, null, true)
  }
  flatMapValues<VR>(mapper: ValueMapper<V, Iterable<VR>> | ValueMapperWithKey<K, V, Iterable<VR>>, named?: Named): KStream<K, VR> {
    return this.add('KSTREAM-FLATMAPVALUES-', named, kstreamFlatMapValues(withKeyOrNot<K, V, Iterable<VR>>(mapper) as never), this.keySerde, null, this.repartitionRequired)
  }
  selectKey<KR>(mapper: KeyValueMapper<K, V, KR>, named?: Named): KStream<KR, V> {
    return this.add('KSTREAM-KEY-SELECT-', named, kstreamSelectKey(mapper as Fn as never), null, this.valueSerde, true)
  }
  peek(action: ForeachAction<K, V>, named?: Named): KStream<K, V> {
    return this.add('KSTREAM-PEEK-', named, kstreamPeek(action as Fn as never, true), this.keySerde, this.valueSerde, this.repartitionRequired)
  }
  print(printed: Printed<K, V>): void {
    const name = this.ctx.nameOr(printed.processorName, 'KSTREAM-PRINTER-')
    this.ctx.builder.addProcessor(name, kstreamPrint(printed.label ?? name, printed.filePath, printed.mapper as ((k: unknown, v: unknown) => string) | null), [this.node])
  }
  foreach(action: ForeachAction<K, V>, named?: Named): void {
    this.add('KSTREAM-FOREACH-', named, kstreamPeek(action as Fn as never, false), null, null, false)
  }

  asObservable(named?: Named): Observable<StreamedRecord<K, V>> {
    const subject = new Subject<StreamedRecord<K, V>>()
    this.add('KSTREAM-OBSERVABLE-', named, kstreamToSubject(subject as Subject<StreamedRecord<unknown, unknown>>), null, null, false)
    return subject.asObservable()
  }

  split(named?: Named): BranchedKStream<K, V> {
    return new BranchedKStreamImpl(this, named?.name ?? null)
  }

  merge(other: KStream<K, V>, named?: Named): KStream<K, V> {
    const o = other as KStreamImpl<K, V>
    const name = this.ctx.nameOr(named?.name, 'KSTREAM-MERGE-')
    this.ctx.builder.addProcessor(name, passthrough(), [this.node, o.node])
    const same = this.keySerde === o.keySerde && this.valueSerde === o.valueSerde
    return new KStreamImpl(this.ctx, name, same ? this.keySerde : null, same ? this.valueSerde : null, this.repartitionRequired || o.repartitionRequired)
  }

  to(topic: string | ((key: K, value: V, context: RecordContextInfo) => string), produced?: Produced<K, V>): void {
    const name = this.ctx.nameOr(produced?.name, 'KSTREAM-SINK-')
    this.ctx.builder.addSink(
      name,
      topic as string,
      (produced?.keySerde ?? this.keySerde) as SerdeSpec,
      (produced?.valueSerde ?? this.valueSerde) as SerdeSpec,
      [this.node],
      produced?.partitioner ?? null,
    )
  }

  repartition(repartitioned?: Repartitioned<K, V>): KStream<K, V> {
    const base = repartitioned?.name ?? this.ctx.newName('KSTREAM-REPARTITION-')
    const k = (repartitioned?.keySerde ?? this.keySerde) as SerdeSpec
    const v = (repartitioned?.valueSerde ?? this.valueSerde) as SerdeSpec
    const { sourceNode } = insertRepartition(this.ctx, this.node, base, k, v, repartitioned?.partitioner ?? null)
    return new KStreamImpl(this.ctx, sourceNode, k, v, false)
  }

  /** This stream, behind a repartition topic if its key changed. */
  repartitionedIfNeeded(base: () => string, keySerde: SerdeSpec, valueSerde: SerdeSpec): KStreamImpl<K, V> {
    if (!this.repartitionRequired) return this
    if (this.repartitioned !== null) return this.repartitioned
    const { sourceNode } = insertRepartition(this.ctx, this.node, base(), keySerde, valueSerde)
    this.repartitioned = new KStreamImpl(this.ctx, sourceNode, keySerde, valueSerde, false)
    return this.repartitioned
  }

  groupByKey(grouped?: Grouped<K, V>): KGroupedStream<K, V> {
    return new KGroupedStreamImpl<K, V>(
      this,
      (grouped?.keySerde ?? this.keySerde) as SerdeSpec,
      (grouped?.valueSerde ?? this.valueSerde) as SerdeSpec,
      grouped?.name ?? null,
    )
  }

  groupBy<KR>(selector: KeyValueMapper<K, V, KR>, grouped?: Grouped<KR, V>): KGroupedStream<KR, V> {
    // Kafka names the key selector after the Grouped name, when there is one.
    const selected = this.selectKey(selector, grouped?.name !== null && grouped?.name !== undefined ? Named.as(grouped.name) : undefined) as KStreamImpl<KR, V>
    return new KGroupedStreamImpl<KR, V>(selected, (grouped?.keySerde ?? null) as SerdeSpec, (grouped?.valueSerde ?? this.valueSerde) as SerdeSpec, grouped?.name ?? null)
  }

  toTable(a?: Named | Materialized<K, V>, b?: Materialized<K, V>): KTable<K, V> {
    const named = a instanceof Named ? a : undefined
    const m = (a instanceof Materialized ? a : b) as Materialized<unknown, unknown> | undefined
    // Kafka names the table node and its store first and repartitions after them.
    const name = this.ctx.nameOr(named?.name, 'KSTREAM-TOTABLE-')
    const store = keyValueStore(this.ctx, m, 'KSTREAM-TOTABLE', this.keySerde, this.valueSerde)
    const src = this.repartitionedIfNeeded(() => name, this.keySerde, this.valueSerde)
    this.ctx.builder.addStateStore(store.builder)
    this.ctx.builder.addProcessor(name, ktableSource(store.name), [src.node], [store.name])
    return new KTableImpl<K, V>(this.ctx, name, store.builder.keySerde as SerdeSpec, store.builder.valueSerde as SerdeSpec, store.name, storeGetter(store.name))
  }

  process<KOut, VOut>(supplier: ProcessorSupplier<K, V, KOut, VOut>, ...storeNames: string[]): KStream<KOut, VOut> {
    const name = this.ctx.newName('KSTREAM-PROCESSOR-')
    this.checkStores(name, storeNames)
    return this.addAs(name, supplier as unknown as () => AnyProcessor, null, null, true, storeNames)
  }

  processValues<VOut>(supplier: FixedKeyProcessorSupplier<K, V, VOut>, ...storeNames: string[]): KStream<K, VOut> {
    const name = this.ctx.newName('KSTREAM-PROCESSVALUES-')
    this.checkStores(name, storeNames)
    return this.addAs(name, supplier as unknown as () => AnyProcessor, this.keySerde, null, this.repartitionRequired, storeNames)
  }

  private checkStores(name: string, storeNames: string[]): void {
    for (const s of storeNames)
      if (!this.ctx.builder.stores.has(s)) throw new TopologyException(`${name} uses store '${s}', which is not added to the topology (StreamsBuilder.addStateStore)`)
  }

  join(other: unknown, joiner: unknown, third?: unknown, fourth?: unknown): KStream<K, never> {
    return this.doJoin('inner', other, joiner, third, fourth)
  }
  leftJoin(other: unknown, joiner: unknown, third?: unknown, fourth?: unknown): KStream<K, never> {
    return this.doJoin('left', other, joiner, third, fourth)
  }
  outerJoin<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V | null, VO | null, VR>, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR> {
    return this.streamStreamJoin('outer', other as KStreamImpl<K, VO>, joiner as never, windows, streamJoined)
  }

  private doJoin(kind: 'inner' | 'left', other: unknown, joiner: unknown, third: unknown, fourth: unknown): KStream<K, never> {
    if (other instanceof KStreamImpl) return this.streamStreamJoin(kind, other, joiner as never, third as JoinWindows, fourth as StreamJoined<K, V, unknown> | undefined)
    if (other instanceof KTableImpl) return this.streamTableJoin(kind, other, joiner as never, third as Joined<K, V, unknown> | undefined)
    if (other instanceof GlobalKTableImpl) return this.globalTableJoin(kind, other, joiner as never, third as never, fourth as Named | undefined)
    throw new TopologyException('join needs a KStream, KTable or GlobalKTable built by the same StreamsBuilder')
  }

  private streamStreamJoin<VO>(
    kind: 'inner' | 'left' | 'outer',
    other: KStreamImpl<K, VO>,
    joiner: (a: unknown, b: unknown) => unknown,
    windows: JoinWindows,
    sj: StreamJoined<K, V, VO> | undefined,
  ): KStream<K, never> {
    // Names as Kafka's KStreamImpl.doJoin and KStreamImplJoin draw them, so internal topics and
    // stores match: repartitions first (named after the StreamJoined name, else after the upstream
    // node), then two windowing processors (folded into the join processors here, but their
    // numbers are drawn), the this/other names and the merge; numbers are drawn even when named.
    const userName = sj?.name ?? null
    const keySerde = (sj?.keySerde ?? this.keySerde ?? other.keySerde) as SerdeSpec
    const left = this.repartitionedIfNeeded(() => (userName !== null ? `${userName}-left` : this.node), keySerde, (sj?.valueSerde ?? this.valueSerde) as SerdeSpec)
    const right = other.repartitionedIfNeeded(() => (userName !== null ? `${userName}-right` : other.node), keySerde, (sj?.otherValueSerde ?? other.valueSerde) as SerdeSpec)
    this.ctx.newName('KSTREAM-WINDOWED-')
    this.ctx.newName('KSTREAM-WINDOWED-')
    const thisPrefix = kind === 'outer' ? 'KSTREAM-OUTERTHIS-' : 'KSTREAM-JOINTHIS-'
    const thisGenerated = this.ctx.newName(thisPrefix)
    const otherGenerated = this.ctx.newName(kind === 'inner' ? 'KSTREAM-JOINOTHER-' : 'KSTREAM-OUTEROTHER-')
    const thisSuffix = kind === 'outer' ? '-outer-this-join' : '-this-join'
    const otherSuffix = kind === 'inner' ? '-other-join' : '-outer-other-join'
    const thisName = userName !== null ? `${userName}${thisSuffix}` : thisGenerated
    if ((other as unknown) === this) throw new TopologyException(`${thisName} joins a stream with itself; join two separate streams or use a processor`)
    const otherName = userName !== null ? `${userName}${otherSuffix}` : otherGenerated
    const merge = this.ctx.nameOr(userName === null ? null : `${userName}-merge`, 'KSTREAM-MERGE-')
    const retention = windows.beforeMs + windows.afterMs + windows.graceMs + 1
    const size = windows.beforeMs + windows.afterMs
    const storeBase = sj?.storeName ?? null
    const thisStore = `${storeBase !== null ? storeBase + thisSuffix : thisGenerated}-store`
    const otherStore = `${storeBase !== null ? storeBase + otherSuffix : otherGenerated}-store`
    const mk = (name: string, vs: SerdeSpec): StoreBuilder => {
      const b = new StoreBuilder(Stores.persistentWindowStore(name, retention, size, true), keySerde as Serde<unknown> | null, vs as Serde<unknown> | null)
      return sj !== undefined && !sj.loggingEnabled ? b.withLoggingDisabled() : b
    }
    const b = this.ctx.builder
    b.addStateStore(mk(thisStore, (sj?.valueSerde ?? left.valueSerde) as SerdeSpec))
    b.addStateStore(mk(otherStore, (sj?.otherValueSerde ?? right.valueSerde) as SerdeSpec))
    const spec = {
      leftStore: thisStore,
      rightStore: otherStore,
      beforeMs: windows.beforeMs,
      afterMs: windows.afterMs,
      graceMs: windows.graceMs,
      joiner,
      emitLeftUnmatched: kind !== 'inner',
      emitRightUnmatched: kind === 'outer',
      marksStore: kind === 'inner' ? null : `${storeBase !== null ? storeBase + (kind === 'outer' ? '-outer-shared-join' : '-left-shared-join') : `KSTREAM-OUTERSHARED-${thisGenerated.slice(thisPrefix.length)}`}-store`,
    }
    const stores = [thisStore, otherStore]
    if (spec.marksStore !== null) {
      const mb = new StoreBuilder(Stores.persistentKeyValueStore(spec.marksStore), Serdes.String() as Serde<unknown>, Serdes.Long() as Serde<unknown>)
      b.addStateStore(sj !== undefined && !sj.loggingEnabled ? mb.withLoggingDisabled() : mb)
      stores.push(spec.marksStore)
    }
    b.addProcessor(thisName, kstreamKStreamJoin(spec, true), [left.node], stores)
    b.addProcessor(otherName, kstreamKStreamJoin(spec, false), [right.node], stores)
    b.addProcessor(merge, passthrough(), [thisName, otherName])
    b.addCopartitionGroup(thisName, [...b.upstreamTopics(left.node), ...b.upstreamTopics(right.node)])
    return new KStreamImpl(this.ctx, merge, keySerde, null, false)
  }

  private streamTableJoin<VT>(kind: 'inner' | 'left', table: KTableImpl<K, VT>, joiner: (a: unknown, b: unknown) => unknown, joined: Joined<K, V, VT> | undefined): KStream<K, never> {
    // Kafka repartitions first, naming the topic after the Joined name or the upstream node.
    const src = this.repartitionedIfNeeded(() => joined?.name ?? this.node, (joined?.keySerde ?? this.keySerde ?? table.keySerde) as SerdeSpec, (joined?.valueSerde ?? this.valueSerde) as SerdeSpec)
    const name = this.ctx.nameOr(joined?.name, kind === 'left' ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-')
    const getter = table.valueGetter()
    const b = this.ctx.builder
    b.addProcessor(name, kstreamKTableJoin(getter as ValueGetterSupplier<unknown, unknown>, (k) => k, joiner, kind === 'left'), [src.node], getter.storeNames)
    b.addCopartitionGroup(name, [...b.upstreamTopics(src.node), ...b.upstreamTopics(table.node)])
    return new KStreamImpl(this.ctx, name, src.keySerde, null, false)
  }

  private globalTableJoin<GK, GV>(kind: 'inner' | 'left', table: GlobalKTableImpl<GK, GV>, keySelector: (k: unknown, v: unknown) => unknown, joiner: (a: unknown, b: unknown) => unknown, named: Named | undefined): KStream<K, never> {
    // Kafka draws KSTREAM-LEFTJOIN- for inner global-table joins too.
    const name = this.ctx.nameOr(named?.name, 'KSTREAM-LEFTJOIN-')
    const getter = storeGetter<unknown, unknown>(table.storeName)
    this.ctx.builder.addProcessor(name, kstreamKTableJoin({ storeNames: [], init: getter.init }, keySelector, joiner, kind === 'left'), [this.node])
    return new KStreamImpl(this.ctx, name, this.keySerde, null, this.repartitionRequired)
  }
}

export class GlobalKTableImpl<K, V> implements GlobalKTable<K, V> {
  constructor(readonly storeName: string) {}
  queryableStoreName(): string {
    return this.storeName
  }
}

class BranchedKStreamImpl<K, V> implements BranchedKStream<K, V> {
  // The splitter is added up front and its children one by one, as Kafka's BranchedKStreamImpl
  // does: each branch() draws a KSTREAM-BRANCHCHILD- number and runs its chain right away, so
  // names inside a chain come out numbered as in Kafka.
  private readonly splitName: string
  private readonly spec: { predicates: Array<(key: unknown, value: unknown) => boolean>; children: string[]; defaultChild: string | null }
  private readonly out = new Map<string, KStream<K, V>>()
  private finished = false
  constructor(
    private readonly parent: KStreamImpl<K, V>,
    name: string | null,
  ) {
    this.splitName = parent.ctx.nameOr(name, 'KSTREAM-BRANCH-')
    this.spec = { predicates: [], children: [], defaultChild: null }
    parent.ctx.builder.addProcessor(this.splitName, kstreamBranch(this.spec), [parent.node])
  }
  branch(predicate: Predicate<K, V>, branched?: Branched<K, V>): BranchedKStream<K, V> {
    const name = this.child(branched, String(this.spec.predicates.length + 1))
    this.spec.predicates.push(predicate as (key: unknown, value: unknown) => boolean)
    this.spec.children.push(name)
    this.attach(name, branched)
    return this
  }
  defaultBranch(branched?: Branched<K, V>): Map<string, KStream<K, V>> {
    const name = this.child(branched, '0')
    this.spec.defaultChild = name
    this.attach(name, branched)
    return this.finish()
  }
  noDefaultBranch(): Map<string, KStream<K, V>> {
    return this.finish()
  }
  private child(branched: Branched<K, V> | undefined, index: string): string {
    if (this.finished) throw new TopologyException(`${this.splitName} is finished: defaultBranch/noDefaultBranch was already called`)
    const name = `${this.splitName}${branched?.name ?? index}`
    if (this.spec.children.includes(name) || this.spec.defaultChild === name) throw new TopologyException(`${this.splitName} has two branches with the same name`)
    this.parent.ctx.newName('KSTREAM-BRANCHCHILD-')
    return name
  }
  private attach(name: string, branched: Branched<K, V> | undefined): void {
    this.parent.ctx.builder.addProcessor(name, passthrough(), [this.splitName])
    const s = new KStreamImpl<K, V>(this.parent.ctx, name, this.parent.keySerde, this.parent.valueSerde, this.parent.repartitionRequired)
    const chain = branched?.chain
    if (chain === null || chain === undefined) this.out.set(name, s)
    else {
      const r = chain(s)
      if (r !== null && r !== undefined) this.out.set(name, r as KStream<K, V>)
    }
  }
  private finish(): Map<string, KStream<K, V>> {
    this.finished = true
    return this.out
  }
}

export type { Grouped, Produced, Repartitioned }
