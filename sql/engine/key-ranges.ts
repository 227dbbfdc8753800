// Key ranges of pull queries on INT / BIGINT / DOUBLE keys, pushed into the store's range scan.
// Stores keep keys as JSON text (sql/serde/internal.ts), whose byte order is numeric order only
// among numbers of the same sign and digit count (INT), or of the same sign and written shape
// (DOUBLE, as Java writes it: plain with so many integer digits, or mantissa and exponent). INT
// ranges are scanned as one store range per group, each keeping only the keys of its group (a
// number of another group can sort inside its bytes). DOUBLE ranges are the byte ranges of each
// shape (narrowed to single integer parts where few), merged where they overlap, each key kept
// when within the bounds: a wide range may read keys of other magnitudes that share its leading
// digits, never a key twice, never more than a full scan.
import type { Expression } from '../parser/ast/expressions.js'
import { javaDouble } from '../expression/ops.js'

/** One store range: keys from `[from]` to `[to]` (bytes), kept when `lo <= key <= hi`. */
export interface IntKeySegment {
  readonly from: number
  readonly to: number
  readonly lo: number
  readonly hi: number
}

const INT_LIMITS = { INTEGER: { min: -2147483648, max: 2147483647 }, BIGINT: { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER } }

/**
 * The inclusive bounds a WHERE clause puts on the key (>=, >, <=, <, =, BETWEEN, ANDed with
 * anything); null when none. INT / BIGINT bounds are rounded inwards; DOUBLE bounds are kept as
 * written, strict ones included (the WHERE clause still applies to every row a scan gives).
 */
export function numericKeyBounds(where: Expression, key: string, kind: 'INTEGER' | 'BIGINT' | 'DOUBLE'): { lo: number; hi: number } | null {
  const integral = kind !== 'DOUBLE'
  let lo: number = integral ? INT_LIMITS[kind].min : -Infinity
  let hi: number = integral ? INT_LIMITS[kind].max : Infinity
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
    const b = !integral ? v : strict ? Math.floor(v) + 1 : Math.ceil(v)
    if (b > lo) lo = b
    bounded = true
  }
  const atMost = (v: number | null, strict: boolean): void => {
    if (v === null) return
    const b = !integral ? v : strict ? Math.ceil(v) - 1 : Math.floor(v)
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

interface ByteRange {
  readonly from: Buffer
  readonly to: Buffer
}

/** One store range over raw key bytes (DOUBLE keys): keys from `from` to `to`, kept when `keep(key)` (within the bounds). */
export interface DoubleKeySegment {
  readonly from: Buffer
  readonly to: Buffer
  readonly keep: (key: number) => boolean
}

/** Beyond this many shapes with an exponent wholly within the bounds, they are read together rather than shape by shape. */
const MAX_EXPONENT_SHAPES = 4

/** Up to this many integer parts in a shape's part of the bounds are scanned one by one. */
const MAX_INTEGER_PARTS = 16

/** A written shape of positive doubles: magnitudes in [lo, hiExcl), plain with `digits` integer digits (0 for 0.xxx) or with exponent `exp`. */
interface Shape {
  readonly lo: number
  readonly hiExcl: number
  readonly digits: number | null
  readonly exp: number | null
}

/** Java's shapes of positive doubles, ascending: 1.0E-324 .. 9.9E-4, 0.001 .. 0.999, 1.0 .. 9999999.9, 1.0E7 .. 1.79E308. */
const SHAPES: readonly Shape[] = (() => {
  const out: Shape[] = []
  for (let e = -324; e <= -4; e++) out.push({ lo: e === -324 ? Number.MIN_VALUE : Number(`1e${e}`), hiExcl: Number(`1e${e + 1}`), digits: null, exp: e })
  out.push({ lo: 1e-3, hiExcl: 1, digits: 0, exp: null })
  for (let d = 1; d <= 7; d++) out.push({ lo: Number(`1e${d - 1}`), hiExcl: Number(`1e${d}`), digits: d, exp: null })
  for (let e = 7; e <= 308; e++) out.push({ lo: Number(`1e${e}`), hiExcl: e === 308 ? Infinity : Number(`1e${e + 1}`), digits: null, exp: e })
  return out
})()

/** The mantissa of a positive double as Java writes it (the whole text when plain). */
function mantissa(m: number): string {
  const t = javaDouble(m)
  const i = t.indexOf('E')
  return i < 0 ? t : t.slice(0, i)
}

/**
 * The store ranges holding every DOUBLE key in lo..hi. Within one shape, the mantissa texts sort
 * as the numbers do, except that a shorter mantissa sorts after the longer ones it begins (the
 * text that ends the key, `]` or `E..]`, sorts above every digit). So a shape's range starts at
 * `[` + the mantissa of its least magnitude (a prefix of every longer mantissa) and ends at the
 * shortest mantissa any key of the shape can have (`d.d`) that begins the greatest magnitude's,
 * followed by the end text: every key up to that magnitude sorts at or below it.
 */
export function doubleKeySegments(lo: number, hi: number): DoubleKeySegment[] {
  const ranges: ByteRange[] = []
  if (!(lo <= hi)) return []
  // negatives: magnitudes -hi..-lo; positives: lo..hi
  if (lo < 0) side(ranges, '-', hi < 0 ? -hi : 0, -lo)
  if (lo <= 0 && hi >= 0) {
    // -0.0 and 0.0 are keys of their own
    for (const z of ['-0.0', '0.0']) ranges.push({ from: Buffer.from(`[${z}]`), to: Buffer.from(`[${z}]`) })
  }
  if (hi > 0) side(ranges, '', lo > 0 ? lo : 0, hi)
  // ranges that overlap are read as one (the bytes of shapes interleave): every key is read at most
  // once, so a key within the bounds belongs whichever range gives it
  ranges.sort((a, b) => Buffer.compare(a.from, b.from))
  const out: DoubleKeySegment[] = []
  const keep = (k: number): boolean => k >= lo && k <= hi
  for (const r of ranges) {
    const last = out[out.length - 1]
    if (last !== undefined && Buffer.compare(r.from, last.to) <= 0) {
      if (Buffer.compare(r.to, last.to) > 0) out[out.length - 1] = { from: last.from, to: r.to, keep }
    } else {
      out.push({ from: r.from, to: r.to, keep })
    }
  }
  return out
}

/** The byte ranges holding the keys of one sign with magnitudes mLo..mHi, shape by shape. */
function side(out: ByteRange[], sign: '' | '-', mLo: number, mHi: number): void {
  let shapes = SHAPES.filter((s) => s.hiExcl > mLo && s.lo <= mHi)
  // shapes with an exponent that lie wholly within the bounds, when many: read together, one range
  // per first mantissa digit (`[1.` .. `[9.`), which also holds the plain keys 1.0 .. 9.99
  const whole = shapes.filter((s) => s.exp !== null && s.lo >= mLo && s.hiExcl <= mHi)
  if (whole.length > MAX_EXPONENT_SHAPES) {
    for (let d = 1; d <= 9; d++) out.push({ from: Buffer.from(`[${sign}${d}.`), to: Buffer.concat([Buffer.from(`[${sign}${d}.`), Buffer.from([0xff])]) })
    shapes = shapes.filter((s) => !whole.includes(s))
  }
  for (const s of shapes) {
    const low = mantissa(Math.max(mLo, s.lo))
    const top = mHi < s.hiExcl ? mantissa(mHi).slice(0, s.digits === null ? 3 : Math.max(s.digits, 1) + 2) : s.digits === null ? '9.9' : s.digits === 0 ? '0.9' : `${'9'.repeat(s.digits)}.9`
    const end = s.exp === null ? ']' : `E${s.exp}]`
    // few integer parts (of the mantissa): one range per integer part, which holds no key of another
    // shape but those written with an exponent and the same mantissa digits
    const intLo = Number(low.slice(0, low.indexOf('.')))
    const intHi = Number(top.slice(0, top.indexOf('.')))
    if (intHi - intLo < MAX_INTEGER_PARTS) {
      for (let i = intLo; i <= intHi; i++) {
        out.push({ from: Buffer.from(`[${sign}${i === intLo ? low : `${i}.0`}`), to: Buffer.from(`[${sign}${i === intHi ? top : `${i}.9`}${end}`) })
      }
    } else {
      out.push({ from: Buffer.from(`[${sign}${low}`), to: Buffer.from(`[${sign}${top}${end}`) })
    }
  }
}
