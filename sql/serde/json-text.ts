// JSON text that keeps numbers exact: numbers parse to JsonNumber (their text), so DECIMAL values
// keep every digit and their scale (JSON.parse would turn 10.0000 into 10). Used where a
// schema holds DECIMALs and by the test runner; plain JSON.parse elsewhere.

export class JsonNumber {
  constructor(readonly text: string) {}
  valueOf(): number {
    return Number(this.text)
  }
  toJSON(): number {
    return Number(this.text)
  }
}

export type LosslessJson = null | boolean | string | JsonNumber | LosslessJson[] | { [k: string]: LosslessJson }

export function parseLosslessJson(text: string): LosslessJson {
  let i = 0
  const fail = (what: string): never => {
    throw new SyntaxError(`JSON: expected ${what} at position ${i}`)
  }
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++
  }
  const value = (): LosslessJson => {
    ws()
    const c = text[i]
    if (c === '{') {
      i++
      const o: { [k: string]: LosslessJson } = {}
      ws()
      if (text[i] === '}') {
        i++
        return o
      }
      for (;;) {
        ws()
        if (text[i] !== '"') fail('a string key')
        const k = str()
        ws()
        if (text[i] !== ':') fail("':'")
        i++
        o[k] = value()
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === '}') {
          i++
          return o
        }
        fail("',' or '}'")
      }
    }
    if (c === '[') {
      i++
      const a: LosslessJson[] = []
      ws()
      if (text[i] === ']') {
        i++
        return a
      }
      for (;;) {
        a.push(value())
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === ']') {
          i++
          return a
        }
        fail("',' or ']'")
      }
    }
    if (c === '"') return str()
    if (text.startsWith('true', i)) {
      i += 4
      return true
    }
    if (text.startsWith('false', i)) {
      i += 5
      return false
    }
    if (text.startsWith('null', i)) {
      i += 4
      return null
    }
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400))
    if (m === null) return fail('a value')
    i += m[0].length
    return new JsonNumber(m[0])
  }
  const str = (): string => {
    const start = i
    i++
    let simple = true
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') {
        simple = false
        i++
      }
      i++
    }
    if (i >= text.length) fail('the end of a string')
    i++
    const raw = text.slice(start, i)
    return simple ? raw.slice(1, -1) : (JSON.parse(raw) as string)
  }
  const v = value()
  ws()
  if (i !== text.length) fail('the end of input')
  return v
}

/** JSON text of a lossless value (numbers written as their text). */
export function stringifyLossless(v: unknown): string {
  if (v === null || v === undefined) return 'null'
  if (v instanceof JsonNumber) return v.text
  if (typeof v === 'string') return JSON.stringify(v)
  if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v)
  if (Array.isArray(v)) return `[${v.map(stringifyLossless).join(',')}]`
  return `{${Object.entries(v as object)
    .map(([k, x]) => `${JSON.stringify(k)}:${stringifyLossless(x)}`)
    .join(',')}}`
}
