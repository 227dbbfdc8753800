// Java's SimpleDateFormat patterns, as Kafka's TimestampConverter takes them in `format`
// (yyyy-MM-dd HH:mm:ss.SSS, dd/MMM/yyyy:HH:mm:ss Z, yyyyMMdd'T'HHmmss, ...), in UTC as Kafka
// configures it. A pattern compiles once into fields and literals; format() writes a time,
// parse() reads one back. Letters SimpleDateFormat has and this does not (week-based fields)
// are refused when the pattern is compiled, naming the letter.
import { ConfigException, DataException } from '../errors.js'
import { utcMillis } from '../../core/common/civil-date.js'

type Letter = 'G' | 'y' | 'M' | 'L' | 'd' | 'D' | 'E' | 'u' | 'a' | 'H' | 'k' | 'K' | 'h' | 'm' | 's' | 'S' | 'z' | 'Z' | 'X'
type Token = { kind: 'literal'; text: string } | { kind: 'field'; letter: Letter; count: number }

const SUPPORTED = new Set<string>(['G', 'y', 'M', 'L', 'd', 'D', 'E', 'u', 'a', 'H', 'k', 'K', 'h', 'm', 's', 'S', 'z', 'Z', 'X'])
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
const NUMERIC = new Set<string>(['y', 'M', 'L', 'd', 'D', 'u', 'H', 'k', 'K', 'h', 'm', 's', 'S'])

function isNumeric(t: Token | undefined): boolean {
  return t !== undefined && t.kind === 'field' && NUMERIC.has(t.letter) && !((t.letter === 'M' || t.letter === 'L') && t.count >= 3)
}

export class SimpleDateFormat {
  private readonly tokens: Token[]

  /** Compiles the pattern; a letter it cannot handle is a ConfigException on `configKey`. */
  constructor(readonly pattern: string, configKey = 'format') {
    this.tokens = compile(pattern, configKey)
  }

  /** The time `ms` (milliseconds since the epoch) written in the pattern, in UTC. */
  format(ms: number): string {
    const d = new Date(ms)
    let out = ''
    for (const t of this.tokens) {
      if (t.kind === 'literal') {
        out += t.text
        continue
      }
      const n = t.count
      switch (t.letter) {
        case 'G': out += d.getUTCFullYear() > 0 ? 'AD' : 'BC'; break
        case 'y': {
          const y = d.getUTCFullYear()
          out += n === 2 ? pad(y % 100, 2) : pad(y, n)
          break
        }
        case 'M':
        case 'L': out += n >= 4 ? MONTHS[d.getUTCMonth()]! : n === 3 ? MONTHS[d.getUTCMonth()]!.slice(0, 3) : pad(d.getUTCMonth() + 1, n); break
        case 'd': out += pad(d.getUTCDate(), n); break
        case 'D': out += pad(Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1, n); break
        case 'E': out += n >= 4 ? DAYS[d.getUTCDay()]! : DAYS[d.getUTCDay()]!.slice(0, 3); break
        case 'u': out += pad(d.getUTCDay() === 0 ? 7 : d.getUTCDay(), n); break
        case 'a': out += d.getUTCHours() < 12 ? 'AM' : 'PM'; break
        case 'H': out += pad(d.getUTCHours(), n); break
        case 'k': out += pad(d.getUTCHours() === 0 ? 24 : d.getUTCHours(), n); break
        case 'K': out += pad(d.getUTCHours() % 12, n); break
        case 'h': out += pad(d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12, n); break
        case 'm': out += pad(d.getUTCMinutes(), n); break
        case 's': out += pad(d.getUTCSeconds(), n); break
        case 'S': out += pad(d.getUTCMilliseconds(), n); break
        case 'z': out += n >= 4 ? 'Coordinated Universal Time' : 'UTC'; break
        case 'Z': out += '+0000'; break
        case 'X': out += 'Z'; break
      }
    }
    return out
  }

  /** Reads a time written in the pattern; a zone in the text applies, otherwise UTC. */
  parse(text: string): number {
    let pos = 0
    let year = 1970
    let month = 0
    let day = 1
    let dayOfYear = -1
    let hour = 0
    let pm: boolean | null = null
    let hour12 = false
    let minute = 0
    let second = 0
    let milli = 0
    let offsetMin = 0
    let bc = false
    const fail = (what: string): never => {
      throw new DataException(`'${text}' does not match the format '${this.pattern}' (expected ${what} at position ${pos})`)
    }
    const number = (t: Extract<Token, { kind: 'field' }>, next: Token | undefined): number => {
      let end = pos
      if (t.letter === 'y' && t.count === 2 && !isNumeric(next)) {
        while (end < text.length && isDigit(text.charCodeAt(end))) end++
      } else if (isNumeric(next)) {
        end = pos + t.count // abutting numeric fields: each takes its width
      } else {
        while (end < text.length && isDigit(text.charCodeAt(end))) end++
      }
      const digits = text.slice(pos, end)
      if (digits.length === 0 || end > text.length || !/^\d+$/.test(digits)) fail(`a number for '${t.letter.repeat(t.count)}'`)
      pos = end
      return Number(digits)
    }
    const word = (choices: string[], what: string): number => {
      const rest = text.slice(pos).toLowerCase()
      // Longest first: "May" must not stop "March" from matching its full name.
      let best = -1
      let bestLen = 0
      choices.forEach((c, i) => {
        for (const cand of [c, c.slice(0, 3)]) {
          if (cand.length > bestLen && rest.startsWith(cand.toLowerCase())) {
            best = i
            bestLen = cand.length
          }
        }
      })
      if (best < 0) fail(what)
      pos += bestLen
      return best
    }
    for (let i = 0; i < this.tokens.length; i++) {
      const t = this.tokens[i]!
      if (t.kind === 'literal') {
        if (!text.startsWith(t.text, pos)) fail(`'${t.text}'`)
        pos += t.text.length
        continue
      }
      const next = this.tokens[i + 1]
      switch (t.letter) {
        case 'G': bc = word(['BC', 'AD'], 'an era (AD or BC)') === 0; break
        case 'y': {
          const digits = pos
          year = number(t, next)
          if (t.count <= 2 && pos - digits === 2) {
            // Two digits: the century that puts the year within 80 years before and 20 after now.
            const now = new Date().getUTCFullYear()
            const base = now - 80
            year += Math.floor(base / 100) * 100
            if (year < base) year += 100
          }
          break
        }
        case 'M':
        case 'L': month = t.count >= 3 ? word(MONTHS, 'a month name') : number(t, next) - 1; break
        case 'd': day = number(t, next); break
        case 'D': dayOfYear = number(t, next); break
        case 'E': word(DAYS, 'a day name'); break
        case 'u': number(t, next); break
        case 'a': pm = word(['AM', 'PM'], 'AM or PM') === 1; break
        case 'H': hour = number(t, next); break
        case 'k': hour = number(t, next) % 24; break
        case 'K': hour = number(t, next); hour12 = true; break
        case 'h': hour = number(t, next) % 12; hour12 = true; break
        case 'm': minute = number(t, next); break
        case 's': second = number(t, next); break
        case 'S': milli = number(t, next); break
        case 'z':
        case 'Z':
        case 'X': {
          const m = /^(?:(Z)|(?:UTC|GMT)?([+-])(\d{2}):?(\d{2})?|(UTC|GMT))/.exec(text.slice(pos))
          if (m === null) fail('a time zone')
          const zm = m!
          pos += zm[0].length
          offsetMin = zm[1] !== undefined || zm[5] !== undefined ? 0 : (zm[2] === '-' ? -1 : 1) * (Number(zm[3]) * 60 + Number(zm[4] ?? 0))
          break
        }
      }
    }
    if (pos !== text.length) fail('the end of the text')
    if (hour12 && pm === true) hour += 12
    if (bc) year = 1 - year
    const ms = dayOfYear > 0 ? utcMillis(year, 0, 1, hour, minute, second, milli) + (dayOfYear - 1) * 86_400_000 : utcMillis(year, month, day, hour, minute, second, milli)
    return ms - offsetMin * 60_000
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n))
  return (n < 0 ? '-' : '') + (s.length >= width ? s : '0'.repeat(width - s.length) + s)
}

function compile(pattern: string, key: string): Token[] {
  const tokens: Token[] = []
  const literal = (text: string): void => {
    const last = tokens[tokens.length - 1]
    if (last !== undefined && last.kind === 'literal') last.text += text
    else tokens.push({ kind: 'literal', text })
  }
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i]!
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        literal("'")
        i += 2
        continue
      }
      const end = pattern.indexOf("'", i + 1)
      if (end < 0) throw new ConfigException(key, `unterminated quote in '${pattern}'`)
      let text = ''
      let j = i + 1
      // '' inside a quoted part is one quote.
      for (; j < pattern.length; j++) {
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            text += "'"
            j++
            continue
          }
          break
        }
        text += pattern[j]
      }
      if (j >= pattern.length) throw new ConfigException(key, `unterminated quote in '${pattern}'`)
      literal(text)
      i = j + 1
      continue
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      if (!SUPPORTED.has(c)) throw new ConfigException(key, `pattern letter '${c}' in '${pattern}' is not supported (supported: ${[...SUPPORTED].join('')})`)
      let j = i
      while (pattern[j] === c) j++
      tokens.push({ kind: 'field', letter: c as Letter, count: j - i })
      i = j
      continue
    }
    literal(c)
    i++
  }
  return tokens
}
