import { describe, expect, it } from 'vitest'
import { createBuiltinRegistry } from '../../../sql/functions/builtin.js'
import { BIGINT as B, DOUBLE as D, INTEGER as I, STRING as S, T, arrayOf, lambda, param, scalar, sig, aggregate, aggSig, tableFn } from '../../../sql/functions/define.js'
import { describeFunction } from '../../../sql/functions/describe.js'
import { FunctionError } from '../../../sql/functions/errors.js'
import type { SqlFunction } from '../../../sql/functions/registry-types.js'
import { SqlTypes } from '../../../sql/types/sql-type.js'
import { BIGINT, DOUBLE, INTEGER, NULL, STRING, decType, lambdaArg, registry, scalarFn } from './helpers.js'

function thrown(fn: () => unknown): FunctionError {
  try {
    fn()
  } catch (e) {
    if (e instanceof FunctionError) return e
    throw e
  }
  throw new Error('expected a FunctionError')
}

describe('FunctionRegistry.resolve', () => {
  it('finds functions case-insensitively', () => {
    expect(registry.resolve('abs', [INTEGER]).fn.name).toBe('ABS')
    expect(registry.resolve('Ucase', [STRING]).returnType).toEqual(STRING)
    expect(registry.get('coalesce')?.name).toBe('COALESCE')
  })

  it('prefers the exact signature over a widening one', () => {
    expect(registry.resolve('ABS', [INTEGER]).returnType).toEqual(INTEGER)
    expect(registry.resolve('ABS', [BIGINT]).returnType).toEqual(BIGINT)
    expect(registry.resolve('ABS', [decType(5, 2)]).returnType).toEqual(decType(5, 2))
  })

  it('widens to the nearest type: INTEGER -> BIGINT before DECIMAL before DOUBLE', () => {
    const r = createBuiltinRegistry()
    r.register(scalar('PICK', 'TEST', 'test', [
      sig([param('x', D)], S, () => 'double'),
      sig([param('x', B)], S, () => 'bigint'),
    ]))
    const call = r.resolve('pick', [INTEGER])
    expect(call.argTypes).toEqual([BIGINT])
    r.register(scalar('PICK2', 'TEST', 'test', [sig([param('x', D)], S, () => 'double'), sig([param('x', { kind: 'ANY_DECIMAL' })], S, () => 'decimal')]))
    expect(r.resolve('PICK2', [INTEGER]).argTypes).toEqual([decType(10, 0)])
    expect(r.resolve('PICK2', [BIGINT]).argTypes).toEqual([decType(19, 0)])
    expect(r.resolve('PICK2', [decType(4, 1)]).argTypes).toEqual([decType(4, 1)])
    // DOUBLE never narrows to DECIMAL
    expect(r.resolve('PICK2', [DOUBLE]).argTypes).toEqual([DOUBLE])
  })

  it('binds type variables across arguments and unifies numeric ones', () => {
    const same = registry.resolve('IFNULL', [STRING, STRING])
    expect(same.returnType).toEqual(STRING)
    const widened = registry.resolve('IFNULL', [INTEGER, BIGINT])
    expect(widened.argTypes).toEqual([BIGINT, BIGINT])
    expect(widened.returnType).toEqual(BIGINT)
    expect(registry.resolve('COALESCE', [NULL, DOUBLE, INTEGER]).returnType).toEqual(DOUBLE)
    expect(thrown(() => registry.resolve('IFNULL', [STRING, INTEGER])).code).toBe('NO_MATCHING_SIGNATURE')
  })

  it('binds element types through ARRAY<T>', () => {
    const r = createBuiltinRegistry()
    r.register(scalar('FIRST_OF', 'TEST', 'test', [sig([param('a', arrayOf(T))], T, (a: unknown[]) => a[0] ?? null)]))
    expect(r.resolve('FIRST_OF', [SqlTypes.array(STRING)]).returnType).toEqual(STRING)
    expect(thrown(() => r.resolve('FIRST_OF', [STRING])).code).toBe('NO_MATCHING_SIGNATURE')
  })

  it('accepts any number of variadic arguments, including none', () => {
    expect(registry.resolve('CONCAT', []).returnType).toEqual(STRING)
    const call = registry.resolve('CONCAT', [STRING, STRING, STRING])
    expect(call.argTypes).toHaveLength(3)
    expect(scalarFn('CONCAT', [STRING, STRING, STRING])('a', null, 'c')).toBe('ac')
    expect(thrown(() => registry.resolve('COALESCE', [])).code).toBe('NO_MATCHING_SIGNATURE')
  })

  it('types lambdas with the parameter types bound by the other arguments', () => {
    const r = createBuiltinRegistry()
    r.register(scalar('MAP_ALL', 'TEST', 'test', [
      sig([param('a', arrayOf(T)), param('f', lambda([T], generic('R')))], arrayOf(generic('R')), (a: unknown[], f: (x: unknown) => unknown) => a.map(f)),
    ]))
    const body = lambdaArg(1, (p) => (p[0]?.kind === 'INTEGER' ? STRING : DOUBLE))
    const call = r.resolve('MAP_ALL', [SqlTypes.array(INTEGER), body])
    expect(body.seen).toEqual([[INTEGER]])
    expect(call.returnType).toEqual(SqlTypes.array(STRING))
    expect(thrown(() => r.resolve('MAP_ALL', [SqlTypes.array(INTEGER), lambdaArg(2, STRING)])).code).toBe('NO_MATCHING_SIGNATURE')
  })

  it('lists the signatures that exist when none matches', () => {
    const e = thrown(() => registry.resolve('ABS', [STRING]))
    expect(e.code).toBe('NO_MATCHING_SIGNATURE')
    expect(e.field).toBe('ABS')
    expect(e.message).toContain("Function 'ABS' does not accept parameters (STRING)")
    expect(e.message).toContain('\nABS(INTEGER val)\n')
    expect(e.message).toContain('ABS(DECIMAL val)')
    expect(e.message).toContain('ABS(DOUBLE val)')
    expect(e.message).toContain('DESCRIBE FUNCTION <Function-Name>;')
    expect(thrown(() => registry.resolve('CONCAT', [STRING, INTEGER])).message).toContain('CONCAT(STRING... inputs)')
  })

  it('names an unknown function', () => {
    const e = thrown(() => registry.resolve('nope', [INTEGER]))
    expect(e.code).toBe('UNKNOWN_FUNCTION')
    expect(e.message).toBe("Can't find any functions with the name 'NOPE'")
  })
})

function generic(name: string) {
  return { kind: 'GENERIC', name } as const
}

describe('user-defined functions', () => {
  it('registers scalar, aggregate and table functions usable by name', () => {
    const r = createBuiltinRegistry()
    r.register(scalar('double_it', 'USER', 'Doubles a number', [sig([param('x', B)], B, (x: number | null) => (x === null ? null : 2 * x))]))
    r.register(aggregate('product', 'USER', 'Multiplies values', [
      aggSig([param('x', D)], D, () => ({ stateType: D, initialize: () => 1, aggregate: (a, s) => (a[0] === null ? s : (s as number) * (a[0] as number)), result: (s) => s })),
    ]))
    r.register(tableFn('repeat_n', 'USER', 'Repeats a value n times', [
      { params: [param('v', S), param('n', I)], returns: S, create: () => (v, n) => Array.from({ length: n as number }, () => v) },
    ]))
    const call = r.resolve('DOUBLE_IT', [INTEGER])
    expect(call.fn.kind).toBe('scalar')
    expect(r.get('Product')?.kind).toBe('aggregate')
    expect(r.resolve('REPEAT_N', [STRING, INTEGER]).returnType).toEqual(STRING)
    expect(describeFunction(r.get('double_it')!).variations[0]!.signature).toBe('DOUBLE_IT(x BIGINT)')
  })

  it('refuses a name clash with a built-in or an earlier function', () => {
    const r = createBuiltinRegistry()
    const abs = scalar('abs', 'USER', 'mine', [sig([param('x', I)], I, (x: unknown) => x)])
    const e = thrown(() => r.register(abs))
    expect(e.code).toBe('INVALID_FUNCTION')
    expect(e.message).toContain("'ABS' is a built-in function")
    const f = scalar('mine', 'USER', 'mine', [sig([param('x', I)], I, (x: unknown) => x)])
    r.register(f)
    expect(thrown(() => r.register(f)).message).toContain("'MINE' is already registered")
  })

  it.each<[string, SqlFunction, string]>([
    ['a bad name', scalar('1bad', 'U', 'd', [sig([], I, () => 1)]), 'the name must be an identifier'],
    ['no description', scalar('nodesc', 'U', '', [sig([], I, () => 1)]), 'a description is required'],
    ['no signatures', scalar('nosig', 'U', 'd', []), 'at least one signature'],
    ['a missing create', { kind: 'scalar', name: 'nocreate', category: 'U', description: 'd', signatures: [{ params: [], returns: I }] } as unknown as SqlFunction, 'create must be a function'],
    ['an unbound return variable', scalar('unbound', 'U', 'd', [sig([param('x', I)], T, () => 1)]), 'the return type uses T, which no parameter binds'],
    ['a duplicate signature', scalar('dup', 'U', 'd', [sig([param('x', I)], I, () => 1), sig([param('y', I)], I, () => 2)]), 'duplicates an earlier signature'],
    ['an unknown type', scalar('badtype', 'U', 'd', [sig([param('x', { kind: 'FLOAT' } as never)], I, () => 1)]), "unknown type kind 'FLOAT'"],
    ['a lambda in an aggregate', aggregate('agglambda', 'U', 'd', [aggSig([param('f', lambda([I], I))], I, () => { throw new Error('never') })]), 'only scalar functions take them'],
    ['literal params out of range', aggregate('lits', 'U', 'd', [aggSig([param('x', I)], I, () => { throw new Error('never') }, { literalParams: 2 })]), 'literalParams must be'],
  ])('refuses a definition with %s, naming the fault', (_what, fn, message) => {
    const r = createBuiltinRegistry()
    const before = r.list().length
    const e = thrown(() => r.register(fn))
    expect(e.code).toBe('INVALID_FUNCTION')
    expect(e.message).toContain(message)
    expect(r.list().length).toBe(before)
  })
})

describe('DESCRIBE FUNCTION data', () => {
  it('documents every built-in with its variations', () => {
    for (const fn of registry.list()) {
      const d = describeFunction(fn)
      expect(d.description.length, fn.name).toBeGreaterThan(0)
      expect(d.variations.length, fn.name).toBeGreaterThan(0)
    }
    const abs = describeFunction(registry.get('ABS')!)
    expect(abs.type).toBe('SCALAR')
    expect(abs.variations.map((v) => v.signature)).toContain('ABS(val BIGINT)')
    expect(describeFunction(registry.get('COALESCE')!).variations[0]!.signature).toBe('COALESCE(first T, others T...)')
    expect(describeFunction(registry.get('SUM')!).type).toBe('AGGREGATE')
    expect(describeFunction(registry.get('EXPLODE')!).type).toBe('TABLE')
  })
})
