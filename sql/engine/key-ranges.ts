// Key ranges of pull queries on INT / BIGINT keys, pushed into the store's range scan. Stores keep
// keys as JSON text (sql/serde/internal.ts), whose byte order is numeric order only among numbers
// of the same sign and digit count: a range is scanned as one store range per such group, and each
// scan keeps only the keys of its group (a shorter number can sort inside another group's bytes).
import type { Expression } from '../parser/ast/expressions.js'

/** One store range: keys from `[from]` to `[to]` (bytes), kept when `lo <= key <= hi`. */
export interface IntKeySegment {
  readonly from: number
  readonly to: number
  readonly lo: number
  readonly hi: number
}

const INT_LIMITS = { INTEGER: { min: -2147483648, max: 2147483647 }, BIGINT: { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER } }

/** The inclusive integer bounds a WHERE clause puts on the key (>=, >, <=, <, =, BETWEEN, ANDed with anything); null when none. */
export function intKeyBounds(where: Expression, key: string, kind: 'INTEGER' | 'BIGINT'): { lo: number; hi: number } | null {
  const limits = INT_LIMITS[kind]
  let lo: number = limits.min
  let hi: number = limits.max
  let bounded = false
  const num = (e: Expression): number | null => {
    if (e.kind === 'Literal' && (e.type === 'INTEGER' || e.type === 'BIGINT' || e.type === 'DOUBLE' || e.type === 'DECIMAL')) {
      const n = Number(e.value)
      return Number.isFinite(n) ? n : null
    }
    if (e.kind === 'Negate') {
      const n = num(e.operand)
      return n === null ? null : -n
    }
    return null
  }
  const isKey = (e: Expression): boolean => e.kind === 'ColumnRef' && e.name === key
  const atLeast = (v: number | null, strict: boolean): void => {
    if (v === null) return
    const b = strict ? Math.floor(v) + 1 : Math.ceil(v)
    if (b > lo) lo = b
    bounded = true
  }
  const atMost = (v: number | null, strict: boolean): void => {
    if (v === null) return
    const b = strict ? Math.ceil(v) - 1 : Math.floor(v)
    if (b < hi) hi = b
    bounded = true
  }
  const visit = (e: Expression): void => {
    if (e.kind === 'Logical' && e.op === 'AND') {
      visit(e.left)
      visit(e.right)
    } else if (e.kind === 'Between' && !e.negated && isKey(e.operand)) {
      atLeast(num(e.low), false)
      atMost(num(e.high), false)
    } else if (e.kind === 'Comparison' && (isKey(e.left) || isKey(e.right))) {
      const keyLeft = isKey(e.left)
      const v = num(keyLeft ? e.right : e.left)
      // normalise to `key op v`
      const op = keyLeft ? e.op : ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as Record<string, string>)[e.op] ?? e.op
      if (op === '>' || op === '>=') atLeast(v, op === '>')
      else if (op === '<' || op === '<=') atMost(v, op === '<')
      else if (op === '=') {
        atLeast(v, false)
        atMost(v, false)
      }
    }
  }
  visit(where)
  if (!bounded) return null
  return { lo, hi }
}

/** The store ranges covering the integers lo..hi, one per sign and digit count. */
export function intKeySegments(lo: number, hi: number): IntKeySegment[] {
  const out: IntKeySegment[] = []
  if (lo > hi) return out
  // negatives: magnitudes grouped by digit count; `[-12]` < `[-19]` in bytes, so from is the smaller magnitude
  if (lo < 0) {
    const mHi = -lo
    const mLo = hi < 0 ? -hi : 1
    for (let p = 1; p <= mHi; p *= 10) {
      const a = Math.max(mLo, p)
      const b = Math.min(mHi, p * 10 - 1)
      if (a <= b) out.push({ from: -a, to: -b, lo: -b, hi: -a })
      if (p > Number.MAX_SAFE_INTEGER / 10) break
    }
  }
  if (hi >= 0) {
    const start = Math.max(lo, 0)
    if (start === 0) out.push({ from: 0, to: 0, lo: 0, hi: 0 })
    for (let p = 1; p <= hi; p *= 10) {
      const a = Math.max(start, p)
      const b = Math.min(hi, p * 10 - 1)
      if (a <= b) out.push({ from: a, to: b, lo: a, hi: b })
      if (p > Number.MAX_SAFE_INTEGER / 10) break
    }
  }
  return out
}
