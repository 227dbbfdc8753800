// DECIMAL values: an unscaled bigint and a scale, so arithmetic is exact (ksqlDB's BigDecimal).
// The function library owns the rest of decimal arithmetic; this is the shared representation.

export type RoundingMode = 'HALF_UP' | 'HALF_DOWN' | 'HALF_EVEN' | 'UP' | 'DOWN' | 'FLOOR' | 'CEILING'

export class SqlDecimal {
  constructor(
    /** The digits without the decimal point: 12.50 is 1250n with scale 2. */
    readonly unscaled: bigint,
    readonly scale: number,
  ) {}

  /** Parses `-12.50`, `3`, `1e3`, keeping the scale written (12.50 has scale 2). */
  static parse(text: string): SqlDecimal {
    const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim())
    if (m === null || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) throw new RangeError(`not a decimal: ${text}`)
    const frac = m[3] ?? ''
    let scale = frac.length - Number(m[4] ?? 0)
    let unscaled = BigInt(`${m[2] ?? ''}${frac}` || '0')
    if (scale < 0) {
      unscaled *= 10n ** BigInt(-scale)
      scale = 0
    }
    return new SqlDecimal(m[1] === '-' ? -unscaled : unscaled, scale)
  }

  static fromNumber(value: number, scale: number, mode: RoundingMode = 'HALF_UP'): SqlDecimal {
    // Through the shortest decimal text of the double, so 0.1 becomes 0.1 and not 0.1000000000000000055.
    return SqlDecimal.parse(Number.isInteger(value) ? value.toFixed(0) : String(value)).setScale(scale, mode)
  }

  /** Digits in the unscaled value (ksqlDB's precision of a value; 0 counts as 1). */
  precision(): number {
    const digits = (this.unscaled < 0n ? -this.unscaled : this.unscaled).toString().length
    return Math.max(digits, 1)
  }

  /** Whether the value fits DECIMAL(precision, its scale): at most `precision` digits (zero always fits). */
  fits(precision: number): boolean {
    return this.unscaled === 0n || this.precision() <= precision
  }

  setScale(scale: number, mode: RoundingMode = 'HALF_UP'): SqlDecimal {
    if (scale === this.scale) return this
    if (scale > this.scale) return new SqlDecimal(this.unscaled * 10n ** BigInt(scale - this.scale), scale)
    return new SqlDecimal(divideRounded(this.unscaled, 10n ** BigInt(this.scale - scale), mode), scale)
  }

  compareTo(other: SqlDecimal): number {
    const s = Math.max(this.scale, other.scale)
    const a = this.setScale(s).unscaled
    const b = other.setScale(s).unscaled
    return a < b ? -1 : a > b ? 1 : 0
  }

  add(other: SqlDecimal): SqlDecimal {
    const s = Math.max(this.scale, other.scale)
    return new SqlDecimal(this.setScale(s).unscaled + other.setScale(s).unscaled, s)
  }

  subtract(other: SqlDecimal): SqlDecimal {
    const s = Math.max(this.scale, other.scale)
    return new SqlDecimal(this.setScale(s).unscaled - other.setScale(s).unscaled, s)
  }

  multiply(other: SqlDecimal): SqlDecimal {
    return new SqlDecimal(this.unscaled * other.unscaled, this.scale + other.scale)
  }

  /** this / other with the given result scale; throws RangeError on division by zero. */
  divide(other: SqlDecimal, scale: number, mode: RoundingMode = 'HALF_UP'): SqlDecimal {
    if (other.unscaled === 0n) throw new RangeError('division by zero')
    // a/10^sa / (b/10^sb) = a * 10^(scale - sa + sb) / b, at the result scale
    const shift = scale - this.scale + other.scale
    const num = shift >= 0 ? this.unscaled * 10n ** BigInt(shift) : this.unscaled
    const den = shift >= 0 ? other.unscaled : other.unscaled * 10n ** BigInt(-shift)
    return new SqlDecimal(divideRounded(num, den, mode), scale)
  }

  /** this % other with the sign of this (Java's BigDecimal.remainder), at the larger scale; throws RangeError on zero. */
  remainder(other: SqlDecimal): SqlDecimal {
    if (other.unscaled === 0n) throw new RangeError('division by zero')
    const s = Math.max(this.scale, other.scale)
    return new SqlDecimal(this.setScale(s).unscaled % other.setScale(s).unscaled, s)
  }

  negate(): SqlDecimal {
    return new SqlDecimal(-this.unscaled, this.scale)
  }

  toNumber(): number {
    return Number(this.toString())
  }

  /** Plain notation with every digit of the scale: 10.0000 stays 10.0000. */
  toString(): string {
    const negative = this.unscaled < 0n
    const digits = (negative ? -this.unscaled : this.unscaled).toString()
    if (this.scale <= 0) return (negative ? '-' : '') + digits + '0'.repeat(-this.scale)
    const padded = digits.padStart(this.scale + 1, '0')
    const cut = padded.length - this.scale
    return `${negative ? '-' : ''}${padded.slice(0, cut)}.${padded.slice(cut)}`
  }

  toJSON(): string {
    return this.toString()
  }
}

/** The DECIMAL(precision, scale) a binary operator yields in ksqlDB, from its operands' types. */
export interface DecimalShape {
  readonly precision: number
  readonly scale: number
}

/** ksqlDB's result types of DECIMAL arithmetic (its SqlDecimal.add / multiply / divide / modulus rules). */
export const decimalArithmetic = {
  add(a: DecimalShape, b: DecimalShape): DecimalShape {
    const scale = Math.max(a.scale, b.scale)
    return { precision: scale + Math.max(a.precision - a.scale, b.precision - b.scale) + 1, scale }
  },
  subtract(a: DecimalShape, b: DecimalShape): DecimalShape {
    return decimalArithmetic.add(a, b)
  },
  multiply(a: DecimalShape, b: DecimalShape): DecimalShape {
    return { precision: a.precision + b.precision + 1, scale: a.scale + b.scale }
  },
  divide(a: DecimalShape, b: DecimalShape): DecimalShape {
    const scale = Math.max(6, a.scale + b.precision + 1)
    return { precision: a.precision - a.scale + b.scale + scale, scale }
  },
  modulus(a: DecimalShape, b: DecimalShape): DecimalShape {
    const scale = Math.max(a.scale, b.scale)
    return { precision: Math.min(a.precision - a.scale, b.precision - b.scale) + scale, scale }
  },
} as const

function divideRounded(num: bigint, den: bigint, mode: RoundingMode): bigint {
  const q = num / den
  const r = num % den
  if (r === 0n) return q
  const negative = num < 0n !== den < 0n
  const twice = (r < 0n ? -r : r) * 2n
  const absDen = den < 0n ? -den : den
  const away = negative ? q - 1n : q + 1n
  switch (mode) {
    case 'DOWN':
      return q
    case 'UP':
      return away
    case 'FLOOR':
      return negative ? q - 1n : q
    case 'CEILING':
      return negative ? q : q + 1n
    case 'HALF_EVEN':
      if (twice === absDen) return q % 2n === 0n ? q : away
      return twice > absDen ? away : q
    case 'HALF_UP':
      return twice >= absDen ? away : q
    case 'HALF_DOWN':
      return twice > absDen ? away : q
  }
}
