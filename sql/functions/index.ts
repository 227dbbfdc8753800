// The function library's public surface: the registry, the built-ins, the builders users
// define their own scalar, aggregate and table functions with, and DESCRIBE FUNCTION data.
export type * from './registry-types.js'
export { builtinFunctions, createBuiltinRegistry, type FunctionConfig } from './builtin.js'
export { DefaultFunctionRegistry, resolveCall } from './registry.js'
export { FunctionError, type FunctionErrorCode } from './errors.js'
export { describeFunction, signatureList, type FunctionDescription, type FunctionVariation } from './describe.js'
export {
  ANY_DECIMAL, ANY_STRUCT, BIGINT, BOOLEAN, BYTES, DATE, DOUBLE, INTEGER, STRING, TIME, TIMESTAMP,
  K, S, T, U, V, aggSig, aggregate, arrayOf, computed, generic, lambda, mapOf, nullSafe, param, scalar, sig, sigWith, tableFn,
} from './define.js'
export { compareValues, valueKey, valuesEqual } from './values.js'
