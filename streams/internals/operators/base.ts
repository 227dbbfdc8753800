// Shared shape of operator processors.
import type { ProcessorContext } from '../../processor/api.js'
import type { Record as StreamRecord } from '../../processor/record.js'
import type { AnyProcessor } from '../topology-builder.js'

export type Ctx = ProcessorContext<unknown, unknown>

/** A processor from a process function that gets the context; a new instance per call. */
export function stateless(process: (ctx: Ctx, record: StreamRecord<unknown, unknown>) => void): () => AnyProcessor {
  return () => {
    let ctx: Ctx
    return {
      init(c) {
        ctx = c
      },
      process(record) {
        process(ctx, record)
      },
    }
  }
}

/** Calls a (value) or (key, value) function by its declared arity. */
export function withKeyOrNot<K, V, R>(fn: ((value: V) => R) | ((key: K, value: V) => R)): (key: K, value: V) => R {
  // a one-parameter function gets the value, a two-parameter one gets (key, value)
  return fn.length >= 2 ? (fn as (key: K, value: V) => R) : (_key, value) => (fn as (value: V) => R)(value)
}
