// The built-in library: every family's functions in one registry.
import { aggregateFunctions, collectListFunction, collectSetFunction, type CollectLimits } from './aggregates.js'
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

/** Settings of the built-ins, by ksqlDB's property names. */
export interface FunctionConfig {
  readonly 'ksql.functions.collect_list.limit'?: number
  readonly 'ksql.functions.collect_set.limit'?: number
}

/** A registry holding ksqlDB's built-in functions; users add their own with register(). */
export function createBuiltinRegistry(config: FunctionConfig = {}): DefaultFunctionRegistry {
  const limits: CollectLimits = {
    ...(config['ksql.functions.collect_list.limit'] === undefined ? {} : { collectListLimit: config['ksql.functions.collect_list.limit'] }),
    ...(config['ksql.functions.collect_set.limit'] === undefined ? {} : { collectSetLimit: config['ksql.functions.collect_set.limit'] }),
  }
  const configured: readonly SqlFunction[] = [collectListFunction(limits), collectSetFunction(limits)]
  const names = new Set(configured.map((f) => f.name))
  const registry = new DefaultFunctionRegistry()
  registry.registerBuiltin(...builtinFunctions.filter((f) => !names.has(f.name)), ...configured)
  return registry
}
