// Shared shape of operator processors.
import type { ProcessorContext } from '../../processor/api.js'
import type { Headers } from '../../processor/record.js'
import { Record as StreamRecord } from '../../processor/record.js'
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

/** Hands one record on, as its fields: no Record object between two inline steps. */
export type Emit = (key: unknown, value: unknown, timestamp: number, headers: Headers) => void

/**
 * A stateless step written as a function of what comes next: given where its outputs go, the
 * function that takes its inputs. The task chains such steps into one call per record, with no
 * Record and no context between them (the hops of filter, mapValues, selectKey, ... cost a call).
 */
export type InlineStep = (emit: Emit) => Emit

/** A processor supplier that a task may run inline (see InlineStep) instead of as a processor. */
export type InlineSupplier = (() => AnyProcessor) & { readonly inline: InlineStep }

/**
 * The one definition of a stateless operator: its inline step, and the processor made from it for
 * whoever runs processors (a Record in, ctx.forward out).
 */
export function inline(step: InlineStep): InlineSupplier {
  const supplier = (): AnyProcessor => {
    let run: Emit = () => {}
    return {
      init(ctx) {
        run = step((key, value, timestamp, headers) => ctx.forward(new StreamRecord(key, value, timestamp, headers)))
      },
      process(r) {
        run(r.key, r.value, r.timestamp, r.headers)
      },
    }
  }
  return Object.assign(supplier, { inline: step })
}

/** The inline step of a supplier made by inline(), else null. */
export function inlineStepOf(supplier: () => AnyProcessor): InlineStep | null {
  const step = (supplier as Partial<InlineSupplier>).inline
  return typeof step === 'function' ? step : null
}

/** Calls a (value) or (key, value) function by its declared arity. */
export function withKeyOrNot<K, V, R>(fn: ((value: V) => R) | ((key: K, value: V) => R)): (key: K, value: V) => R {
  // a one-parameter function gets the value, a two-parameter one gets (key, value)
  return fn.length >= 2 ? (fn as (key: K, value: V) => R) : (_key, value) => (fn as (value: V) => R)(value)
}
