// Parameter objects of the DSL: static factories and copy-on-write with*
// methods. Fields are readonly and read by the internals.
import type { Serde } from '../serdes.js'
import type { StreamPartitioner, TimestampExtractor } from '../internals/topology-builder.js'

export class Named {
  protected constructor(readonly name: string | null) {}
  static as(name: string): Named {
    return new Named(name)
  }
}

export class Consumed<K, V> {
  private constructor(
    readonly keySerde: Serde<K> | null,
    readonly valueSerde: Serde<V> | null,
    readonly timestampExtractor: TimestampExtractor | null,
    readonly name: string | null,
  ) {}
  static with<K, V>(keySerde: Serde<K> | null, valueSerde: Serde<V> | null): Consumed<K, V> {
    return new Consumed(keySerde, valueSerde, null, null)
  }
  static as<K, V>(name: string): Consumed<K, V> {
    return new Consumed<K, V>(null, null, null, name)
  }
  withTimestampExtractor(extractor: TimestampExtractor): Consumed<K, V> {
    return new Consumed(this.keySerde, this.valueSerde, extractor, this.name)
  }
  withName(name: string): Consumed<K, V> {
    return new Consumed(this.keySerde, this.valueSerde, this.timestampExtractor, name)
  }
}

export class Produced<K, V> {
  private constructor(
    readonly keySerde: Serde<K> | null,
    readonly valueSerde: Serde<V> | null,
    readonly partitioner: StreamPartitioner | null,
    readonly name: string | null,
  ) {}
  static with<K, V>(keySerde: Serde<K> | null, valueSerde: Serde<V> | null): Produced<K, V> {
    return new Produced(keySerde, valueSerde, null, null)
  }
  static as<K, V>(name: string): Produced<K, V> {
    return new Produced<K, V>(null, null, null, name)
  }
  withStreamPartitioner(partitioner: StreamPartitioner): Produced<K, V> {
    return new Produced(this.keySerde, this.valueSerde, partitioner, this.name)
  }
  withName(name: string): Produced<K, V> {
    return new Produced(this.keySerde, this.valueSerde, this.partitioner, name)
  }
}

export class Grouped<K, V> {
  private constructor(
    readonly name: string | null,
    readonly keySerde: Serde<K> | null,
    readonly valueSerde: Serde<V> | null,
  ) {}
  static with<K, V>(keySerde: Serde<K> | null, valueSerde: Serde<V> | null): Grouped<K, V>
  static with<K, V>(name: string | null, keySerde: Serde<K> | null, valueSerde: Serde<V> | null): Grouped<K, V>
  static with<K, V>(a: string | Serde<K> | null, b: Serde<K> | Serde<V> | null, c?: Serde<V> | null): Grouped<K, V> {
    if (c !== undefined || typeof a === 'string') return new Grouped<K, V>(a as string | null, b as Serde<K> | null, c ?? null)
    return new Grouped<K, V>(null, a as Serde<K> | null, b as Serde<V> | null)
  }
  static as<K, V>(name: string): Grouped<K, V> {
    return new Grouped<K, V>(name, null, null)
  }
  withKeySerde(serde: Serde<K>): Grouped<K, V> {
    return new Grouped(this.name, serde, this.valueSerde)
  }
  withValueSerde(serde: Serde<V>): Grouped<K, V> {
    return new Grouped(this.name, this.keySerde, serde)
  }
  withName(name: string): Grouped<K, V> {
    return new Grouped(name, this.keySerde, this.valueSerde)
  }
}

export type StoreType = 'sqlite' | 'in-memory'

export class Materialized<K, V> {
  private constructor(
    readonly storeName: string | null,
    readonly keySerde: Serde<K> | null,
    readonly valueSerde: Serde<V> | null,
    readonly loggingEnabled: boolean,
    readonly cachingEnabled: boolean,
    readonly retentionMs: number | null,
    readonly storeType: StoreType,
    readonly logConfig: Readonly<{ [key: string]: string }>,
  ) {}
  static as<K, V>(storeName: string): Materialized<K, V> {
    return new Materialized<K, V>(storeName, null, null, true, true, null, 'sqlite', {})
  }
  static with<K, V>(keySerde: Serde<K> | null, valueSerde: Serde<V> | null): Materialized<K, V> {
    return new Materialized(null, keySerde, valueSerde, true, true, null, 'sqlite', {})
  }
  private copy(p: Partial<{ [F in keyof Materialized<K, V>]: Materialized<K, V>[F] }>): Materialized<K, V> {
    return new Materialized(
      p.storeName !== undefined ? p.storeName : this.storeName,
      p.keySerde !== undefined ? p.keySerde : this.keySerde,
      p.valueSerde !== undefined ? p.valueSerde : this.valueSerde,
      p.loggingEnabled ?? this.loggingEnabled,
      p.cachingEnabled ?? this.cachingEnabled,
      p.retentionMs !== undefined ? p.retentionMs : this.retentionMs,
      p.storeType ?? this.storeType,
      p.logConfig ?? this.logConfig,
    )
  }
  withKeySerde(keySerde: Serde<K>): Materialized<K, V> {
    return this.copy({ keySerde })
  }
  withValueSerde(valueSerde: Serde<V>): Materialized<K, V> {
    return this.copy({ valueSerde })
  }
  withLoggingEnabled(config: { [key: string]: string } = {}): Materialized<K, V> {
    return this.copy({ loggingEnabled: true, logConfig: config })
  }
  withLoggingDisabled(): Materialized<K, V> {
    return this.copy({ loggingEnabled: false })
  }
  withCachingEnabled(): Materialized<K, V> {
    return this.copy({ cachingEnabled: true })
  }
  withCachingDisabled(): Materialized<K, V> {
    return this.copy({ cachingEnabled: false })
  }
  withRetention(retentionMs: number): Materialized<K, V> {
    return this.copy({ retentionMs })
  }
  withStoreType(storeType: StoreType): Materialized<K, V> {
    return this.copy({ storeType })
  }
}

export class Joined<K, V, VO> {
  private constructor(
    readonly keySerde: Serde<K> | null,
    readonly valueSerde: Serde<V> | null,
    readonly otherValueSerde: Serde<VO> | null,
    readonly name: string | null,
  ) {}
  static with<K, V, VO>(keySerde: Serde<K> | null, valueSerde: Serde<V> | null, otherValueSerde: Serde<VO> | null): Joined<K, V, VO> {
    return new Joined(keySerde, valueSerde, otherValueSerde, null)
  }
  static as<K, V, VO>(name: string): Joined<K, V, VO> {
    return new Joined<K, V, VO>(null, null, null, name)
  }
  withName(name: string): Joined<K, V, VO> {
    return new Joined(this.keySerde, this.valueSerde, this.otherValueSerde, name)
  }
}

/** Serdes and store names of the two window stores of a stream-stream join. */
export class StreamJoined<K, V, VO> {
  private constructor(
    readonly keySerde: Serde<K> | null,
    readonly valueSerde: Serde<V> | null,
    readonly otherValueSerde: Serde<VO> | null,
    readonly name: string | null,
    readonly storeName: string | null,
    readonly loggingEnabled: boolean,
  ) {}
  static with<K, V, VO>(keySerde: Serde<K> | null, valueSerde: Serde<V> | null, otherValueSerde: Serde<VO> | null): StreamJoined<K, V, VO> {
    return new StreamJoined(keySerde, valueSerde, otherValueSerde, null, null, true)
  }
  static as<K, V, VO>(storeName: string): StreamJoined<K, V, VO> {
    return new StreamJoined<K, V, VO>(null, null, null, null, storeName, true)
  }
  withName(name: string): StreamJoined<K, V, VO> {
    return new StreamJoined(this.keySerde, this.valueSerde, this.otherValueSerde, name, this.storeName, this.loggingEnabled)
  }
  withStoreName(storeName: string): StreamJoined<K, V, VO> {
    return new StreamJoined(this.keySerde, this.valueSerde, this.otherValueSerde, this.name, storeName, this.loggingEnabled)
  }
  withLoggingDisabled(): StreamJoined<K, V, VO> {
    return new StreamJoined(this.keySerde, this.valueSerde, this.otherValueSerde, this.name, this.storeName, false)
  }
}

export class Repartitioned<K, V> {
  private constructor(
    readonly name: string | null,
    readonly keySerde: Serde<K> | null,
    readonly valueSerde: Serde<V> | null,
    readonly numberOfPartitions: number | null,
    readonly partitioner: StreamPartitioner | null,
  ) {}
  static as<K, V>(name: string): Repartitioned<K, V> {
    return new Repartitioned<K, V>(name, null, null, null, null)
  }
  static with<K, V>(keySerde: Serde<K> | null, valueSerde: Serde<V> | null): Repartitioned<K, V> {
    return new Repartitioned(null, keySerde, valueSerde, null, null)
  }
  static numberOfPartitions<K, V>(n: number): Repartitioned<K, V> {
    return new Repartitioned<K, V>(null, null, null, n, null)
  }
  withName(name: string): Repartitioned<K, V> {
    return new Repartitioned(name, this.keySerde, this.valueSerde, this.numberOfPartitions, this.partitioner)
  }
  withKeySerde(keySerde: Serde<K>): Repartitioned<K, V> {
    return new Repartitioned(this.name, keySerde, this.valueSerde, this.numberOfPartitions, this.partitioner)
  }
  withValueSerde(valueSerde: Serde<V>): Repartitioned<K, V> {
    return new Repartitioned(this.name, this.keySerde, valueSerde, this.numberOfPartitions, this.partitioner)
  }
  withNumberOfPartitions(n: number): Repartitioned<K, V> {
    return new Repartitioned(this.name, this.keySerde, this.valueSerde, n, this.partitioner)
  }
  withStreamPartitioner(partitioner: StreamPartitioner): Repartitioned<K, V> {
    return new Repartitioned(this.name, this.keySerde, this.valueSerde, this.numberOfPartitions, partitioner)
  }
}

/** Names a foreign-key table join: its subscription and response topics, store and processors (Kafka's TableJoined). */
export class TableJoined<K, KO> {
  private constructor(readonly name: string | null) {}
  static as<K, KO>(name: string): TableJoined<K, KO> {
    return new TableJoined<K, KO>(name)
  }
  withName(name: string): TableJoined<K, KO> {
    return new TableJoined<K, KO>(name)
  }
}
