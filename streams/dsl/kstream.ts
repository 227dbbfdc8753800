// The public DSL interfaces. Implementations live in streams/internals.
import type { Observable } from 'rxjs'
import type { KeyValue } from '../state/types.js'
import type { ProcessorSupplier, FixedKeyProcessorSupplier } from '../processor/api.js'
import type { RecordContextInfo } from '../internals/topology-builder.js'
import type { Windowed } from './windowed.js'
import type {
  Aggregator,
  ForeachAction,
  Initializer,
  KeyValueMapper,
  Merger,
  Predicate,
  Reducer,
  ValueJoiner,
  ValueMapper,
  ValueMapperWithKey,
} from './callbacks.js'
import type { JoinWindows, SessionWindows, SlidingWindows, Suppressed, TimeWindows } from './windows.js'
import type { Branched } from './branched.js'
import type { Printed } from './printed.js'
import type { Grouped, Joined, Materialized, Named, Produced, Repartitioned, StreamJoined, TableJoined } from './options.js'

export type { RecordContextInfo }

export interface KStream<K, V> {
  filter(predicate: Predicate<K, V>, named?: Named): KStream<K, V>
  filterNot(predicate: Predicate<K, V>, named?: Named): KStream<K, V>
  /** Changes key and value: marks the stream for repartitioning before grouping or joining. */
  map<KR, VR>(mapper: KeyValueMapper<K, V, KeyValue<KR, VR>>, named?: Named): KStream<KR, VR>
  /**
   * A one-argument mapper gets the value; a two-argument mapper gets (key, value). TypeScript picks
   * the (key, value) form only when its parameters are annotated: `(k: string, v: Order) => ...`.
   */
  mapValues<VR>(mapper: ValueMapper<V, VR>, named?: Named): KStream<K, VR>
  mapValues<VR>(mapper: ValueMapperWithKey<K, V, VR>, named?: Named): KStream<K, VR>
  flatMap<KR, VR>(mapper: KeyValueMapper<K, V, Iterable<KeyValue<KR, VR>>>, named?: Named): KStream<KR, VR>
  /** A one-argument mapper gets the value; a two-argument mapper gets (key, value). */
  flatMapValues<VR>(mapper: ValueMapper<V, Iterable<VR>>, named?: Named): KStream<K, VR>
  flatMapValues<VR>(mapper: ValueMapperWithKey<K, V, Iterable<VR>>, named?: Named): KStream<K, VR>
  selectKey<KR>(mapper: KeyValueMapper<K, V, KR>, named?: Named): KStream<KR, V>
  peek(action: ForeachAction<K, V>, named?: Named): KStream<K, V>
  /** Writes each record as "[label]: key, value" to standard output or a file (Kafka's print(Printed)); the branch ends here. */
  print(printed: Printed<K, V>): void
  foreach(action: ForeachAction<K, V>, named?: Named): void
  /**
   * The records reaching this point of the topology, as an rxjs Observable, from every task of the
   * running application (or test driver). It never completes by itself: unsubscribe when done.
   */
  asObservable(named?: Named): Observable<StreamedRecord<K, V>>
  split(named?: Named): BranchedKStream<K, V>
  merge(other: KStream<K, V>, named?: Named): KStream<K, V>
  to(topic: string | ((key: K, value: V, context: RecordContextInfo) => string), produced?: Produced<K, V>): void
  repartition(repartitioned?: Repartitioned<K, V>): KStream<K, V>
  groupByKey(grouped?: Grouped<K, V>): KGroupedStream<K, V>
  groupBy<KR>(selector: KeyValueMapper<K, V, KR>, grouped?: Grouped<KR, V>): KGroupedStream<KR, V>
  toTable(named?: Named, materialized?: Materialized<K, V>): KTable<K, V>
  toTable(materialized: Materialized<K, V>): KTable<K, V>
  process<KOut, VOut>(supplier: ProcessorSupplier<K, V, KOut, VOut>, ...storeNames: string[]): KStream<KOut, VOut>
  processValues<VOut>(supplier: FixedKeyProcessorSupplier<K, V, VOut>, ...storeNames: string[]): KStream<K, VOut>

  join<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V, VO, VR>, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR>
  leftJoin<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V, VO | null, VR>, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR>
  outerJoin<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V | null, VO | null, VR>, windows: JoinWindows, streamJoined?: StreamJoined<K, V, VO>): KStream<K, VR>
  join<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<V, VT, VR>, joined?: Joined<K, V, VT>): KStream<K, VR>
  leftJoin<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<V, VT | null, VR>, joined?: Joined<K, V, VT>): KStream<K, VR>
  join<GK, GV, VR>(table: GlobalKTable<GK, GV>, keySelector: KeyValueMapper<K, V, GK>, joiner: ValueJoiner<V, GV, VR>, named?: Named): KStream<K, VR>
  leftJoin<GK, GV, VR>(table: GlobalKTable<GK, GV>, keySelector: KeyValueMapper<K, V, GK>, joiner: ValueJoiner<V, GV | null, VR>, named?: Named): KStream<K, VR>
}

export interface BranchedKStream<K, V> {
  branch(predicate: Predicate<K, V>, branched?: Branched<K, V>): BranchedKStream<K, V>
  /** Records matching no predicate; ends the split and returns the branches by name (split name + branch name or index). */
  defaultBranch(branched?: Branched<K, V>): Map<string, KStream<K, V>>
  noDefaultBranch(): Map<string, KStream<K, V>>
}

export interface KTable<K, V> {
  /** The store holding this table's values, when it is materialized. */
  queryableStoreName(): string | null
  filter(predicate: Predicate<K, V>, materialized?: Materialized<K, V>): KTable<K, V>
  filterNot(predicate: Predicate<K, V>, materialized?: Materialized<K, V>): KTable<K, V>
  /** A one-argument mapper gets the value; a two-argument mapper gets (key, value). */
  mapValues<VR>(mapper: ValueMapper<V, VR>, materialized?: Materialized<K, VR>): KTable<K, VR>
  mapValues<VR>(mapper: ValueMapperWithKey<K, V, VR>, materialized?: Materialized<K, VR>): KTable<K, VR>
  toStream<KR>(mapper: KeyValueMapper<K, V, KR>, named?: Named): KStream<KR, V>
  toStream(named?: Named): KStream<K, V>
  join<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V, VO, VR>, materialized?: Materialized<K, VR>): KTable<K, VR>
  leftJoin<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V, VO | null, VR>, materialized?: Materialized<K, VR>): KTable<K, VR>
  outerJoin<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V | null, VO | null, VR>, materialized?: Materialized<K, VR>): KTable<K, VR>
  /** Foreign-key join: each row joins the row of `other` whose key `foreignKeyExtractor` returns. */
  join<KO, VO, VR>(other: KTable<KO, VO>, foreignKeyExtractor: (value: V) => KO, joiner: ValueJoiner<V, VO, VR>, materialized?: Materialized<K, VR>): KTable<K, VR>
  join<KO, VO, VR>(other: KTable<KO, VO>, foreignKeyExtractor: (value: V) => KO, joiner: ValueJoiner<V, VO, VR>, tableJoined: TableJoined<K, KO>, materialized?: Materialized<K, VR>): KTable<K, VR>
  leftJoin<KO, VO, VR>(other: KTable<KO, VO>, foreignKeyExtractor: (value: V) => KO, joiner: ValueJoiner<V, VO | null, VR>, materialized?: Materialized<K, VR>): KTable<K, VR>
  leftJoin<KO, VO, VR>(other: KTable<KO, VO>, foreignKeyExtractor: (value: V) => KO, joiner: ValueJoiner<V, VO | null, VR>, tableJoined: TableJoined<K, KO>, materialized?: Materialized<K, VR>): KTable<K, VR>
  groupBy<KR, VR>(selector: KeyValueMapper<K, V, KeyValue<KR, VR>>, grouped?: Grouped<KR, VR>): KGroupedTable<KR, VR>
  suppress(suppressed: Suppressed): KTable<K, V>
}

export interface GlobalKTable<K, V> {
  queryableStoreName(): string
  /** @internal type marker */
  readonly __types?: [K, V]
}

export interface KGroupedStream<K, V> {
  count(materialized?: Materialized<K, number>): KTable<K, number>
  count(named: Named, materialized?: Materialized<K, number>): KTable<K, number>
  reduce(reducer: Reducer<V>, materialized?: Materialized<K, V>): KTable<K, V>
  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, materialized?: Materialized<K, VA>): KTable<K, VA>
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>
  /**
   * Starts a co-aggregation (KIP-150): this stream and the ones added with cogroup() update one
   * aggregate per key, each with its own aggregator, in one store. The streams must be co-partitioned.
   */
  cogroup<VOut>(aggregator: Aggregator<K, V, VOut>): CogroupedKStream<K, VOut>
}

/** Grouped streams aggregated together into one table (Kafka's CogroupedKStream). */
export interface CogroupedKStream<K, VOut> {
  cogroup<VIn>(groupedStream: KGroupedStream<K, VIn>, aggregator: Aggregator<K, VIn, VOut>): CogroupedKStream<K, VOut>
  aggregate(initializer: Initializer<VOut>, materialized?: Materialized<K, VOut>): KTable<K, VOut>
  aggregate(initializer: Initializer<VOut>, named: Named, materialized?: Materialized<K, VOut>): KTable<K, VOut>
  /** Sliding windows are refused (TopologyException): Brook's sliding aggregation keeps the input records, of one type. */
  windowedBy(windows: TimeWindows): TimeWindowedCogroupedKStream<K, VOut>
  windowedBy(windows: SessionWindows): SessionWindowedCogroupedKStream<K, VOut>
  windowedBy(windows: SlidingWindows): never
}

export interface TimeWindowedCogroupedKStream<K, VOut> {
  aggregate(initializer: Initializer<VOut>, materialized?: Materialized<K, VOut>): KTable<Windowed<K>, VOut>
  aggregate(initializer: Initializer<VOut>, named: Named, materialized?: Materialized<K, VOut>): KTable<Windowed<K>, VOut>
}

export interface SessionWindowedCogroupedKStream<K, VOut> {
  aggregate(initializer: Initializer<VOut>, sessionMerger: Merger<K, VOut>, materialized?: Materialized<K, VOut>): KTable<Windowed<K>, VOut>
  aggregate(initializer: Initializer<VOut>, sessionMerger: Merger<K, VOut>, named: Named, materialized?: Materialized<K, VOut>): KTable<Windowed<K>, VOut>
}

export interface KGroupedTable<K, V> {
  count(materialized?: Materialized<K, number>): KTable<K, number>
  reduce(adder: Reducer<V>, subtractor: Reducer<V>, materialized?: Materialized<K, V>): KTable<K, V>
  aggregate<VA>(initializer: Initializer<VA>, adder: Aggregator<K, V, VA>, subtractor: Aggregator<K, V, VA>, materialized?: Materialized<K, VA>): KTable<K, VA>
}

export interface TimeWindowedKStream<K, V> {
  count(materialized?: Materialized<K, number>): KTable<Windowed<K>, number>
  reduce(reducer: Reducer<V>, materialized?: Materialized<K, V>): KTable<Windowed<K>, V>
  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, materialized?: Materialized<K, VA>): KTable<Windowed<K>, VA>
}

export interface SessionWindowedKStream<K, V> {
  count(materialized?: Materialized<K, number>): KTable<Windowed<K>, number>
  reduce(reducer: Reducer<V>, materialized?: Materialized<K, V>): KTable<Windowed<K>, V>
  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, merger: Merger<K, VA>, materialized?: Materialized<K, VA>): KTable<Windowed<K>, VA>
}

/** A record as KStream.asObservable emits it. */
export interface StreamedRecord<K, V> {
  key: K
  value: V
  timestamp: number
}
