// String scalar functions (ksqlDB's string UDFs).
import { BYTES, STRING, nullSafe, param, scalar, sig } from './define.js'
import type { ScalarFunction } from './registry-types.js'

const CATEGORY = 'STRING'

export const CONCAT = scalar('CONCAT', CATEGORY, 'Concatenate an arbitrary number of string or bytes fields together. NULL inputs are skipped.', [
  sig([param('inputs', STRING, 'the strings to join; NULLs count as empty')], STRING, (...parts: (string | null)[]) => {
    let out = ''
    for (const p of parts) if (p !== null) out += p
    return out
  }, { variadic: true }),
  sig([param('inputs', BYTES, 'the byte arrays to join; NULLs count as empty')], BYTES, (...parts: (Buffer | null)[]) => {
    const present: Buffer[] = []
    for (const p of parts) if (p !== null) present.push(p)
    return Buffer.concat(present)
  }, { variadic: true }),
])

export const UCASE = scalar('UCASE', CATEGORY, 'Returns the input string with all characters converted to upper case.', [
  sig([param('input', STRING)], STRING, nullSafe((s: string) => s.toUpperCase())),
])

export const stringFunctions: readonly ScalarFunction[] = [CONCAT, UCASE]
