// Single message transforms and predicates, as Kafka's Transformation / Predicate interfaces.
// A chain applies each transform in order, skipping one when its predicate (optionally
// negated) does not match; a transform returning null drops the record.
import type { ConnectRecord } from '../api/record.js'
import type { Schema, Struct } from '../api/schema.js'
import { ConfigException, DataException, errorMessage } from '../errors.js'

export interface Transformation {
  configure(props: Record<string, string>): void
  apply<R extends ConnectRecord>(record: R): R | null
}

export interface Predicate {
  configure(props: Record<string, string>): void
  test(record: ConnectRecord): boolean
}

type Factory<T> = () => T
const transforms = new Map<string, Factory<Transformation>>()
const predicates = new Map<string, Factory<Predicate>>()

/** Registers under each name given (full class name and the short alias). */
export function registerTransformation(names: string[], factory: Factory<Transformation>): void {
  for (const n of names) transforms.set(n, factory)
}
export function registerPredicate(names: string[], factory: Factory<Predicate>): void {
  for (const n of names) predicates.set(n, factory)
}

export interface ChainStep {
  alias: string
  transform: Transformation
  predicate: Predicate | null
  negate: boolean
}

export class TransformationChain {
  constructor(readonly steps: ChainStep[], private readonly connector: string) {}

  apply<R extends ConnectRecord>(record: R): R | null {
    let r: R | null = record
    for (const step of this.steps) {
      if (r === null) return null
      if (step.predicate !== null && step.predicate.test(r) === step.negate) continue
      const input: R = r
      try {
        r = step.transform.apply(input)
      } catch (err) {
        throw new DataException(`transform '${step.alias}' failed on a record of topic '${input.topic}': ${errorMessage(err)}`, { connector: this.connector, field: `transforms.${step.alias}`, cause: err })
      }
    }
    return r
  }
}

/** Builds the chain from `transforms`, `transforms.<alias>.*`, `predicates`, `predicates.<alias>.*`. */
export function buildChain(props: Record<string, string>, connector: string): TransformationChain {
  const list = (key: string): string[] => (props[key] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')
  const sub = (prefix: string): Record<string, string> => {
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries(props)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v
    return out
  }
  const preds = new Map<string, Predicate>()
  for (const alias of list('predicates')) {
    const type = props[`predicates.${alias}.type`]
    if (type === undefined) throw new ConfigException(`predicates.${alias}.type`, 'is required for each predicate alias', { connector })
    const factory = predicates.get(type)
    if (factory === undefined) throw new ConfigException(`predicates.${alias}.type`, `unknown predicate '${type}'`, { connector })
    const p = factory()
    configure(p, sub(`predicates.${alias}.`), `predicates.${alias}`, connector)
    preds.set(alias, p)
  }
  const steps: ChainStep[] = []
  for (const alias of list('transforms')) {
    const type = props[`transforms.${alias}.type`]
    if (type === undefined) throw new ConfigException(`transforms.${alias}.type`, 'is required for each transform alias', { connector })
    const factory = transforms.get(type)
    if (factory === undefined) throw new ConfigException(`transforms.${alias}.type`, `unknown transformation '${type}'`, { connector })
    const t = factory()
    const own = sub(`transforms.${alias}.`)
    configure(t, own, `transforms.${alias}`, connector)
    const predAlias = own.predicate
    let predicate: Predicate | null = null
    if (predAlias !== undefined && predAlias !== '') {
      predicate = preds.get(predAlias) ?? null
      if (predicate === null) throw new ConfigException(`transforms.${alias}.predicate`, `no predicate named '${predAlias}' in 'predicates'`, { connector })
    }
    steps.push({ alias, transform: t, predicate, negate: own.negate === 'true' })
  }
  return new TransformationChain(steps, connector)
}

function configure(t: { configure(p: Record<string, string>): void }, props: Record<string, string>, prefix: string, connector: string): void {
  try {
    t.configure(props)
  } catch (err) {
    if (err instanceof ConfigException) throw new ConfigException(`${prefix}.${err.key}`, err.message.replace(/^.*?Invalid value for configuration '[^']*': /, ''), { connector })
    throw err
  }
}

// ---- helpers shared by the transforms ----

export function requireProp(props: Record<string, string>, key: string): string {
  const v = props[key]
  if (v === undefined || v === '') throw new ConfigException(key, 'is required')
  return v
}

export function listProp(props: Record<string, string>, key: string): string[] {
  return (props[key] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')
}

/** Which side a $Key / $Value transform works on. */
export type Side = 'key' | 'value'

export function operand(record: ConnectRecord, side: Side): { schema: Schema | null; value: unknown } {
  return side === 'key' ? { schema: record.keySchema, value: record.key } : { schema: record.valueSchema, value: record.value }
}

export function withOperand<R extends ConnectRecord>(record: R, side: Side, schema: Schema | null, value: unknown): R {
  return side === 'key' ? { ...record, keySchema: schema, key: value } : { ...record, valueSchema: schema, value }
}

export function requireStruct(value: unknown, what: string): Struct {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)) {
    throw new DataException(`Only Struct objects supported for [${what}], found: ${value === null ? 'null' : typeof value}`)
  }
  return value as Struct
}
