// Serdes may be left out in the DSL and come from the defaults at start.
// Wrapping serdes (windowed keys, Change values) defer until their inner
// serde is known.
import type { Serde } from '../serdes.js'
import { TopologyException } from '../errors.js'

export interface SerdeDefaults {
  defaultKeySerde?: Serde<unknown> | undefined
  defaultValueSerde?: Serde<unknown> | undefined
}

/** A serde built from another one that may only be known once defaults are. */
export class DeferredSerde {
  constructor(
    readonly inner: Serde<unknown> | null,
    readonly innerIs: 'key' | 'value',
    readonly make: (inner: Serde<unknown>) => Serde<unknown>,
  ) {}
}

export type SerdeSpec = Serde<unknown> | DeferredSerde | null

export function resolveSerde(spec: SerdeSpec | undefined, which: 'key' | 'value', defaults: SerdeDefaults, owner: string): Serde<unknown> {
  if (spec instanceof DeferredSerde) return spec.make(resolveSerde(spec.inner, spec.innerIs, defaults, owner))
  if (spec !== null && spec !== undefined) return spec
  const d = which === 'key' ? defaults.defaultKeySerde : defaults.defaultValueSerde
  if (d === undefined)
    throw new TopologyException(
      `${owner} needs a ${which} serde: pass one (Consumed/Produced/Grouped/Materialized.with...) or configure default${which === 'key' ? 'Key' : 'Value'}Serde`,
    )
  return d
}

export function canResolve(spec: SerdeSpec | undefined, which: 'key' | 'value', defaults: SerdeDefaults): boolean {
  if (spec instanceof DeferredSerde) return canResolve(spec.inner, spec.innerIs, defaults)
  if (spec !== null && spec !== undefined) return true
  return (which === 'key' ? defaults.defaultKeySerde : defaults.defaultValueSerde) !== undefined
}
