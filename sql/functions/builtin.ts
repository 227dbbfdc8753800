// The built-in library: every family's functions in one registry.
import { aggregateFunctions } from './aggregates.js'
import { mathFunctions } from './math.js'
import { nullFunctions } from './nulls.js'
import { DefaultFunctionRegistry } from './registry.js'
import { stringFunctions } from './strings.js'
import { tableFunctions } from './table.js'

/** A registry holding ksqlDB's built-in functions; users add their own with register(). */
export function createBuiltinRegistry(): DefaultFunctionRegistry {
  const registry = new DefaultFunctionRegistry()
  registry.registerBuiltin(...aggregateFunctions, ...tableFunctions, ...mathFunctions, ...stringFunctions, ...nullFunctions)
  return registry
}
