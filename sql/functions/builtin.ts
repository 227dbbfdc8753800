// The built-in library: every family's functions in one registry.
import { aggregateFunctions } from './aggregates.js'
import { collectionFunctions } from './collections.js'
import { datetimeFunctions } from './datetime.js'
import { jsonFunctions } from './json.js'
import { mathFunctions } from './math.js'
import { nullFunctions } from './nulls.js'
import { DefaultFunctionRegistry } from './registry.js'
import type { SqlFunction } from './registry-types.js'
import { stringFunctions } from './strings.js'
import { tableFunctions } from './table.js'
import { urlFunctions } from './url.js'

/** Every built-in function definition, by family. */
export const builtinFunctions: readonly SqlFunction[] = [
  ...aggregateFunctions,
  ...tableFunctions,
  ...mathFunctions,
  ...stringFunctions,
  ...nullFunctions,
  ...collectionFunctions,
  ...jsonFunctions,
  ...datetimeFunctions,
  ...urlFunctions,
]

/** A registry holding ksqlDB's built-in functions; users add their own with register(). */
export function createBuiltinRegistry(): DefaultFunctionRegistry {
  const registry = new DefaultFunctionRegistry()
  registry.registerBuiltin(...builtinFunctions)
  return registry
}
