// Entry point of the DSL: sources become KStreams, KTables and GlobalKTables;
// build() hands back the Topology.
import type { GlobalKTable, KStream, KTable } from './kstream.js'
import type { Serde } from '../serdes.js'
import type { StoreBuilder } from '../state/store-builder.js'
import type { SerdeSpec } from '../internals/serde-resolution.js'
import { type Consumed, type Materialized } from './options.js'
import { Topology } from '../processor/topology.js'
import { DslContext } from '../internals/dsl-context.js'
import { KStreamImpl, GlobalKTableImpl } from '../internals/kstream-impl.js'
import { KTableImpl } from '../internals/ktable-impl.js'
import { keyValueStore } from '../internals/materialize.js'
import { ktableSource } from '../internals/operators/ktable-source.js'
import { storeGetter } from '../internals/value-getter.js'
import { TopologyException } from '../errors.js'

export interface StreamsBuilderConfig {
  /** With defaults given here, build() checks that every node has serdes; otherwise executors check at start. */
  defaultKeySerde?: Serde<unknown>
  defaultValueSerde?: Serde<unknown>
}

export class StreamsBuilder {
  private readonly ctx: DslContext
  private built = false

  constructor(config?: StreamsBuilderConfig) {
    this.ctx = new DslContext(config ?? null)
  }

  stream<K, V>(topics: string | string[], consumed?: Consumed<K, V>): KStream<K, V> {
    const list = typeof topics === 'string' ? [topics] : topics
    const name = this.ctx.nameOr(consumed?.name, 'KSTREAM-SOURCE-')
    this.ctx.builder.addSource(name, list, (consumed?.keySerde ?? null) as SerdeSpec, (consumed?.valueSerde ?? null) as SerdeSpec, consumed?.timestampExtractor ?? null)
    return new KStreamImpl<K, V>(this.ctx, name, (consumed?.keySerde ?? null) as SerdeSpec, (consumed?.valueSerde ?? null) as SerdeSpec, false)
  }

  table<K, V>(topic: string, consumed?: Consumed<K, V>, materialized?: Materialized<K, V>): KTable<K, V> {
    const ks = (consumed?.keySerde ?? materialized?.keySerde ?? null) as SerdeSpec
    const vs = (consumed?.valueSerde ?? materialized?.valueSerde ?? null) as SerdeSpec
    // Kafka names the store (when unnamed) before the source and table-source nodes.
    const store = keyValueStore(this.ctx, materialized as Materialized<unknown, unknown> | undefined, topic, ks, vs)
    // A named table source: Kafka calls the source node '<name>-source' and the table node '<name>'.
    const given = consumed?.name ?? null
    const source = this.ctx.nameOr(given === null ? null : `${given}-source`, 'KSTREAM-SOURCE-')
    this.ctx.builder.addSource(source, [topic], ks, vs, consumed?.timestampExtractor ?? null)
    const name = this.ctx.nameOr(given, 'KTABLE-SOURCE-')
    this.ctx.builder.addStateStore(store.builder)
    this.ctx.builder.addProcessor(name, ktableSource(store.name), [source], [store.name])
    return new KTableImpl<K, V>(this.ctx, name, ks, vs, store.name, storeGetter(store.name))
  }

  globalTable<K, V>(topic: string, consumed?: Consumed<K, V>, materialized?: Materialized<K, V>): GlobalKTable<K, V> {
    const ks = (consumed?.keySerde ?? materialized?.keySerde ?? null) as SerdeSpec
    const vs = (consumed?.valueSerde ?? materialized?.valueSerde ?? null) as SerdeSpec
    const store = keyValueStore(this.ctx, materialized as Materialized<unknown, unknown> | undefined, topic, ks, vs)
    const source = this.ctx.nameOr(consumed?.name, 'KSTREAM-SOURCE-')
    const name = this.ctx.newName('KTABLE-SOURCE-')
    this.ctx.builder.addGlobalStore(store.builder.withCachingDisabled(), source, topic, ks, vs, name, ktableSource(store.name, false))
    return new GlobalKTableImpl<K, V>(store.name)
  }

  /** Adds a store for process() / processValues() to use by name. */
  addStateStore(builder: StoreBuilder<unknown, unknown>): this {
    this.ctx.builder.addStateStore(builder as StoreBuilder)
    return this
  }

  build(): Topology {
    if (this.built) throw new TopologyException('build() was already called on this StreamsBuilder')
    this.built = true
    if (this.ctx.defaults !== null) this.ctx.builder.validate(this.ctx.defaults)
    return new Topology(this.ctx.builder)
  }
}
