// A JSON tree that keeps numbers as written (1.10 stays 1.10, big integers stay exact) and
// object keys in order, as Jackson's tree model does for ksqlDB's JSON functions; plus the
// compact serialization Jackson's JsonNode.toString produces.

export type JsonNode =
  | { readonly kind: 'object'; readonly fields: Map<string, JsonNode> }
  | { readonly kind: 'array'; readonly items: JsonNode[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly raw: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' }

export class JsonSyntaxError extends Error {}

/**
 * Parses the first JSON value in `text`; null when there is none (blank text: Jackson's missing
 * node). Content after the first value is ignored, as Jackson's readTree does.
 */
export function parseJson(text: string): JsonNode | null {
  const p = new Parser(text)
  p.skipSpace()
  if (p.done()) return null
  return p.value()
}

class Parser {
  private i = 0
  constructor(private readonly s: string) {}

  done(): boolean {
    return this.i >= this.s.length
  }

  skipSpace(): void {
    while (this.i < this.s.length) {
      const c = this.s.charCodeAt(this.i)
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break
      this.i++
    }
  }

  private fail(what: string): never {
    throw new JsonSyntaxError(`${what} at position ${this.i}`)
  }

  value(): JsonNode {
    this.skipSpace()
    const c = this.s[this.i]
    switch (c) {
      case '{':
        return this.object()
      case '[':
        return this.array()
      case '"':
        return { kind: 'string', value: this.string() }
      case 't':
        return this.literal('true', { kind: 'boolean', value: true })
      case 'f':
        return this.literal('false', { kind: 'boolean', value: false })
      case 'n':
        return this.literal('null', { kind: 'null' })
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number()
        return this.fail(c === undefined ? 'Unexpected end of input' : `Unexpected character '${c}'`)
    }
  }

  private literal(word: string, node: JsonNode): JsonNode {
    if (this.s.startsWith(word, this.i)) {
      this.i += word.length
      return node
    }
    return this.fail('Unrecognized token')
  }

  private number(): JsonNode {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 400))
    if (m === null) this.fail('Invalid number')
    this.i += m[0].length
    return { kind: 'number', raw: m[0] }
  }

  private string(): string {
    const start = this.i
    let end = start + 1
    for (;;) {
      const c = this.s.charCodeAt(end)
      if (Number.isNaN(c)) this.fail('Unterminated string')
      if (c === 0x22) break
      if (c === 0x5c) end++
      else if (c < 0x20) this.fail('Illegal unquoted character in string')
      end++
    }
    this.i = end + 1
    try {
      return JSON.parse(this.s.slice(start, end + 1)) as string
    } catch {
      return this.fail('Invalid escape in string')
    }
  }

  private object(): JsonNode {
    this.i++
    const fields = new Map<string, JsonNode>()
    this.skipSpace()
    if (this.s[this.i] === '}') {
      this.i++
      return { kind: 'object', fields }
    }
    for (;;) {
      this.skipSpace()
      if (this.s[this.i] !== '"') this.fail('Expected a field name')
      const key = this.string()
      this.skipSpace()
      if (this.s[this.i] !== ':') this.fail("Expected ':'")
      this.i++
      fields.set(key, this.value())
      this.skipSpace()
      const c = this.s[this.i++]
      if (c === '}') return { kind: 'object', fields }
      if (c !== ',') this.fail("Expected ',' or '}'")
    }
  }

  private array(): JsonNode {
    this.i++
    const items: JsonNode[] = []
    this.skipSpace()
    if (this.s[this.i] === ']') {
      this.i++
      return { kind: 'array', items }
    }
    for (;;) {
      items.push(this.value())
      this.skipSpace()
      const c = this.s[this.i++]
      if (c === ']') return { kind: 'array', items }
      if (c !== ',') this.fail("Expected ',' or ']'")
    }
  }
}

/** Compact JSON text, as Jackson's JsonNode.toString writes it. */
export function writeJson(node: JsonNode): string {
  switch (node.kind) {
    case 'object':
      return `{${[...node.fields].map(([k, v]) => `${JSON.stringify(k)}:${writeJson(v)}`).join(',')}}`
    case 'array':
      return `[${node.items.map(writeJson).join(',')}]`
    case 'string':
      return JSON.stringify(node.value)
    case 'number':
      return node.raw
    case 'boolean':
      return node.value ? 'true' : 'false'
    case 'null':
      return 'null'
  }
}

/** A JSON path as ksqlDB's EXTRACTJSONFIELD takes it: `$.a.b[0]`, `$["a b"]`. Throws on a malformed path. */
export function tokenizeJsonPath(path: string): string[] {
  const bad = (): never => {
    throw new JsonSyntaxError(`Invalid JSON path: '${path}'`)
  }
  if (!path.startsWith('$')) bad()
  const tokens: string[] = []
  let i = 1
  const word = (c: string, extra: boolean): boolean => c === '_' || /[\p{L}\p{Nd}]/u.test(c) || (extra && (c === ':' || c === '@'))
  while (i < path.length) {
    const c = path[i]!
    if (c === '.') {
      const start = ++i
      while (i < path.length && word(path[i]!, true)) i++
      if (i === start) bad()
      tokens.push(path.slice(start, i))
    } else if (c === '[') {
      i++
      if (path[i] === '"') {
        i++
        let token = ''
        while (i < path.length && path[i] !== '"') {
          if (path[i] === '\\') {
            i++
            if (path[i] !== '"' && path[i] !== '\\') bad()
          }
          token += path[i]
          i++
        }
        if (path[i] !== '"') bad()
        i++
        tokens.push(token)
      } else {
        const start = i
        while (i < path.length && word(path[i]!, false)) i++
        if (i === start) bad()
        tokens.push(path.slice(start, i))
      }
      if (path[i] !== ']') bad()
      i++
    } else {
      bad()
    }
  }
  return tokens
}
