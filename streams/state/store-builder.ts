// Store descriptions: what kind of store, where it lives (SQLite file or
// memory), its serdes and which layers (logging, caching) wrap it. The state
// manager of each task builds the layers from this.
import type { Serde } from '../serdes.js'

export type StoreKind = 'keyValue' | 'window' | 'session'

export interface StoreSupplier {
  readonly name: string
  readonly kind: StoreKind
  /** false: a table in the task's SQLite file; true: memory only, rebuilt from the changelog on start. */
  readonly inMemory: boolean
  readonly retentionMs: number
  readonly windowSizeMs: number
  readonly retainDuplicates: boolean
}

export class StoreBuilder<K = unknown, V = unknown> {
  constructor(
    readonly supplier: StoreSupplier,
    readonly keySerde: Serde<K> | null,
    readonly valueSerde: Serde<V> | null,
    readonly loggingEnabled = true,
    readonly cachingEnabled = false,
    readonly logConfig: Readonly<{ [key: string]: string }> = {},
  ) {}
  get name(): string {
    return this.supplier.name
  }
  get kind(): StoreKind {
    return this.supplier.kind
  }
  withCachingEnabled(): StoreBuilder<K, V> {
    return new StoreBuilder(this.supplier, this.keySerde, this.valueSerde, this.loggingEnabled, true, this.logConfig)
  }
  withCachingDisabled(): StoreBuilder<K, V> {
    return new StoreBuilder(this.supplier, this.keySerde, this.valueSerde, this.loggingEnabled, false, this.logConfig)
  }
  withLoggingEnabled(config: { [key: string]: string } = {}): StoreBuilder<K, V> {
    return new StoreBuilder(this.supplier, this.keySerde, this.valueSerde, true, this.cachingEnabled, config)
  }
  withLoggingDisabled(): StoreBuilder<K, V> {
    return new StoreBuilder(this.supplier, this.keySerde, this.valueSerde, false, this.cachingEnabled, this.logConfig)
  }
}

function supplier(name: string, kind: StoreKind, inMemory: boolean, retentionMs = 0, windowSizeMs = 0, retainDuplicates = false): StoreSupplier {
  return { name, kind, inMemory, retentionMs, windowSizeMs, retainDuplicates }
}

export const Stores = {
  persistentKeyValueStore: (name: string): StoreSupplier => supplier(name, 'keyValue', false),
  inMemoryKeyValueStore: (name: string): StoreSupplier => supplier(name, 'keyValue', true),
  persistentWindowStore: (name: string, retentionMs: number, windowSizeMs: number, retainDuplicates = false): StoreSupplier =>
    supplier(name, 'window', false, retentionMs, windowSizeMs, retainDuplicates),
  inMemoryWindowStore: (name: string, retentionMs: number, windowSizeMs: number, retainDuplicates = false): StoreSupplier =>
    supplier(name, 'window', true, retentionMs, windowSizeMs, retainDuplicates),
  persistentSessionStore: (name: string, retentionMs: number): StoreSupplier => supplier(name, 'session', false, retentionMs),
  inMemorySessionStore: (name: string, retentionMs: number): StoreSupplier => supplier(name, 'session', true, retentionMs),
  keyValueStoreBuilder: <K, V>(s: StoreSupplier, keySerde: Serde<K> | null, valueSerde: Serde<V> | null): StoreBuilder<K, V> =>
    new StoreBuilder(s, keySerde, valueSerde),
  windowStoreBuilder: <K, V>(s: StoreSupplier, keySerde: Serde<K> | null, valueSerde: Serde<V> | null): StoreBuilder<K, V> =>
    new StoreBuilder(s, keySerde, valueSerde),
  sessionStoreBuilder: <K, V>(s: StoreSupplier, keySerde: Serde<K> | null, valueSerde: Serde<V> | null): StoreBuilder<K, V> =>
    new StoreBuilder(s, keySerde, valueSerde),
}
