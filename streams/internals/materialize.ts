// Store builders for DSL operators from a Materialized (or defaults).
import type { Materialized } from '../dsl/options.js'
import type { DslContext } from './dsl-context.js'
import type { SerdeSpec } from './serde-resolution.js'
import { StoreBuilder, Stores } from '../state/store-builder.js'
import type { Serde } from '../serdes.js'

export interface MaterializeSpec {
  name: string
  builder: StoreBuilder
}

function finish(b: StoreBuilder, m: Materialized<unknown, unknown> | undefined): StoreBuilder {
  let out = b
  if (m === undefined || m.cachingEnabled) out = out.withCachingEnabled()
  if (m !== undefined && !m.loggingEnabled) out = out.withLoggingDisabled()
  else if (m !== undefined) out = out.withLoggingEnabled({ ...m.logConfig })
  return out
}

export function keyValueStore(ctx: DslContext, m: Materialized<unknown, unknown> | undefined, prefix: string, keySerde: SerdeSpec, valueSerde: SerdeSpec): MaterializeSpec {
  const name = m?.storeName ?? ctx.newStoreName(prefix)
  const inMemory = m?.storeType === 'in-memory'
  const supplier = inMemory ? Stores.inMemoryKeyValueStore(name) : Stores.persistentKeyValueStore(name)
  const b = new StoreBuilder(supplier, (m?.keySerde ?? keySerde) as Serde<unknown> | null, (m?.valueSerde ?? valueSerde) as Serde<unknown> | null)
  return { name, builder: finish(b, m) }
}

export function windowStore(
  ctx: DslContext,
  m: Materialized<unknown, unknown> | undefined,
  prefix: string,
  keySerde: SerdeSpec,
  valueSerde: SerdeSpec,
  windowSizeMs: number,
  minRetentionMs: number,
): MaterializeSpec {
  const name = m?.storeName ?? ctx.newStoreName(prefix)
  const retention = Math.max(m?.retentionMs ?? 0, minRetentionMs)
  const inMemory = m?.storeType === 'in-memory'
  const supplier = inMemory ? Stores.inMemoryWindowStore(name, retention, windowSizeMs) : Stores.persistentWindowStore(name, retention, windowSizeMs)
  const b = new StoreBuilder(supplier, (m?.keySerde ?? keySerde) as Serde<unknown> | null, (m?.valueSerde ?? valueSerde) as Serde<unknown> | null)
  return { name, builder: finish(b, m) }
}

export function sessionStore(ctx: DslContext, m: Materialized<unknown, unknown> | undefined, prefix: string, keySerde: SerdeSpec, valueSerde: SerdeSpec, minRetentionMs: number): MaterializeSpec {
  const name = m?.storeName ?? ctx.newStoreName(prefix)
  const retention = Math.max(m?.retentionMs ?? 0, minRetentionMs)
  const inMemory = m?.storeType === 'in-memory'
  const supplier = inMemory ? Stores.inMemorySessionStore(name, retention) : Stores.persistentSessionStore(name, retention)
  const b = new StoreBuilder(supplier, (m?.keySerde ?? keySerde) as Serde<unknown> | null, (m?.valueSerde ?? valueSerde) as Serde<unknown> | null)
  return { name, builder: finish(b, m) }
}
