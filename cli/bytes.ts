// Bytes in and out of the CLI: delimiter escapes, the kcat-style output format compiled once,
// and the decoders that print a key or value as text (string, long, json, hex, ...).
import type { ConsumerRecord } from '../core/client/types.js'
import { CliError } from './context.js'

const ESCAPES: Readonly<Record<string, number>> = { n: 0x0a, r: 0x0d, t: 0x09, '0': 0x00, '\\': 0x5c }

/** Turns `\n`, `\r`, `\t`, `\0`, `\\` and `\xHH` into their bytes; other text is UTF-8. */
export function unescapeBytes(text: string, option: string): Buffer {
  const out: number[] = []
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (ch !== '\\' || i + 1 >= text.length) {
      out.push(...Buffer.from(ch))
      continue
    }
    const next = text[i + 1]!
    if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      out.push(parseInt(text.slice(i + 2, i + 4), 16))
      i += 3
    } else if (ESCAPES[next] !== undefined) {
      out.push(ESCAPES[next])
      i += 1
    } else {
      throw new CliError(`${option}: unknown escape '\\${next}' (use \\n \\r \\t \\0 \\\\ or \\xHH)`, option)
    }
  }
  return Buffer.from(out)
}

export function unescapeDelimiter(text: string, option: string): Buffer {
  const delimiter = unescapeBytes(text, option)
  if (delimiter.length === 0) throw new CliError(`${option} must not be empty`, option)
  return delimiter
}

/** How a key or value is printed: its bytes as they are, or decoded as Kafka's serializers write them. */
export type Decoder = 'string' | 'hex' | 'base64' | 'json' | 'long' | 'int' | 'short' | 'double' | 'float'
export const DECODERS: readonly Decoder[] = ['string', 'hex', 'base64', 'json', 'long', 'int', 'short', 'double', 'float']

export function parseDecoder(option: string) {
  return (value: string): Decoder => {
    if (!(DECODERS as readonly string[]).includes(value)) throw new CliError(`${option} must be one of ${DECODERS.join(', ')}, got '${value}'`, option)
    return value as Decoder
  }
}

const FIXED: Partial<Record<Decoder, number>> = { long: 8, int: 4, short: 2, double: 8, float: 4 }

/** The printed form of `bytes` under `decoder`; `null` (absent) prints as nothing. */
export function decode(bytes: Buffer | null, decoder: Decoder, what: string): Buffer {
  if (bytes === null) return EMPTY
  const width = FIXED[decoder]
  if (width !== undefined && bytes.length !== width) {
    throw new CliError(`${what} is ${bytes.length} bytes, not a ${width}-byte ${decoder} (use --${what.split(' ')[0]}-decoder string or hex)`, `${what}-decoder`)
  }
  switch (decoder) {
    case 'string':
      return bytes
    case 'hex':
      return Buffer.from(bytes.toString('hex'))
    case 'base64':
      return Buffer.from(bytes.toString('base64'))
    case 'json':
      try {
        return Buffer.from(JSON.stringify(JSON.parse(bytes.toString('utf8'))))
      } catch {
        throw new CliError(`${what} is not JSON (use --${what.split(' ')[0]}-decoder string or hex)`, `${what}-decoder`)
      }
    case 'long':
      return Buffer.from(bytes.readBigInt64BE(0).toString())
    case 'int':
      return Buffer.from(String(bytes.readInt32BE(0)))
    case 'short':
      return Buffer.from(String(bytes.readInt16BE(0)))
    case 'double':
      return Buffer.from(String(bytes.readDoubleBE(0)))
    case 'float':
      return Buffer.from(String(bytes.readFloatBE(0)))
  }
}

const EMPTY = Buffer.alloc(0)

type Part = Buffer | 't' | 'p' | 'o' | 'T' | 'k' | 's' | 'h' | 'K' | 'S'

export interface RecordFormatter {
  (r: ConsumerRecord): Buffer
}

/**
 * kcat's -f format, compiled once: %t topic, %p partition, %o offset, %T timestamp, %k key,
 * %s value, %h headers, %K key length, %S value length (-1 when null), %% a percent sign,
 * and the escapes \n \r \t \0 \\ \xHH. Exactly these bytes are written: no newline is added.
 */
export function compileFormat(format: string, keyDecoder: Decoder = 'string', valueDecoder: Decoder = 'string'): RecordFormatter {
  const parts: Part[] = []
  let literal = ''
  const flush = (): void => {
    if (literal !== '') parts.push(unescapeBytes(literal, '--format'))
    literal = ''
  }
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!
    if (ch === '%' && i + 1 < format.length) {
      const next = format[i + 1]!
      i++
      if (next === '%') {
        literal += '%'
        continue
      }
      if (!'tpoTkshKS'.includes(next)) throw new CliError(`--format: unknown field '%${next}' (use %t %p %o %T %k %s %h %K %S)`, '--format')
      flush()
      parts.push(next as Part)
    } else {
      literal += ch
    }
  }
  flush()
  return (r) => {
    const out: Buffer[] = []
    for (const p of parts) {
      if (typeof p !== 'string') {
        out.push(p)
        continue
      }
      switch (p) {
        case 't': out.push(Buffer.from(r.topic)); break
        case 'p': out.push(Buffer.from(String(r.partition))); break
        case 'o': out.push(Buffer.from(String(r.offset))); break
        case 'T': out.push(Buffer.from(String(r.timestamp))); break
        case 'k': out.push(decode(r.key, keyDecoder, 'key')); break
        case 's': out.push(decode(r.value, valueDecoder, 'value')); break
        case 'K': out.push(Buffer.from(String(r.key === null ? -1 : r.key.length))); break
        case 'S': out.push(Buffer.from(String(r.value === null ? -1 : r.value.length))); break
        case 'h': out.push(Buffer.from(r.headers.map((h) => `${h.key}=${h.value?.toString() ?? ''}`).join(','))); break
      }
    }
    return out.length === 1 ? out[0]! : Buffer.concat(out)
  }
}
