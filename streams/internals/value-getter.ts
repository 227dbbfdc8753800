// How a KTable's current value for a key is looked up by joins: from its
// store when materialized, else through its parent's getter and its own function.
import type { ProcessorContext } from '../processor/api.js'
import type { KeyValueStore } from '../state/types.js'

export interface ValueGetterSupplier<K, V> {
  /** Stores the joining processor must be connected to. */
  readonly storeNames: string[]
  init(context: ProcessorContext<unknown, unknown>): (key: K) => V | null
}

export function storeGetter<K, V>(storeName: string): ValueGetterSupplier<K, V> {
  return {
    storeNames: [storeName],
    init(ctx) {
      const store = ctx.getStateStore<KeyValueStore<K, V>>(storeName)
      return (key) => (key === null || key === undefined ? null : store.get(key))
    },
  }
}

export function mappedGetter<K, V, VR>(parent: ValueGetterSupplier<K, V>, fn: (key: K, value: V) => VR | null): ValueGetterSupplier<K, VR> {
  return {
    storeNames: parent.storeNames,
    init(ctx) {
      const get = parent.init(ctx)
      return (key) => {
        const v = get(key)
        return v === null ? null : fn(key, v)
      }
    },
  }
}
