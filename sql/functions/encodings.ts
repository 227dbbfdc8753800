// The text encodings ksqlDB's ENCODE, TO_BYTES and FROM_BYTES accept: hex, utf8, ascii, base64.
import { FunctionError } from './errors.js'

export type Encoding = 'hex' | 'utf8' | 'ascii' | 'base64'

export function encodingOf(name: string, fn: string): Encoding {
  const n = name.toLowerCase()
  if (n === 'hex' || n === 'utf8' || n === 'ascii' || n === 'base64') return n
  throw new FunctionError('FUNCTION_ERROR', `Supported encodings are: hex, utf8, ascii and base64 (got '${name}')`, fn)
}

/** ksqlDB accepts `0x1F` (odd lengths get a leading 0) and `X'1F'` forms of hex. */
function hexDigits(text: string): string {
  if (text.startsWith('0x')) return text.length % 2 !== 0 ? `0${text.slice(2)}` : text.slice(2)
  if (/^[xX]'.*'$/s.test(text)) return text.slice(2, -1)
  return text
}

export function textToBytes(text: string, encoding: Encoding, fn: string): Buffer {
  switch (encoding) {
    case 'hex': {
      const digits = hexDigits(text)
      if (digits.length % 2 !== 0) throw new FunctionError('FUNCTION_ERROR', 'Odd number of characters.', fn)
      if (!/^[0-9a-fA-F]*$/.test(digits)) throw new FunctionError('FUNCTION_ERROR', `Illegal hexadecimal character in '${text}'`, fn)
      return Buffer.from(digits, 'hex')
    }
    case 'utf8':
      return Buffer.from(text, 'utf8')
    case 'ascii': {
      // Java encodes characters outside US-ASCII as '?'.
      const out = Buffer.alloc(text.length)
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i)
        out[i] = c < 128 ? c : 0x3f
      }
      return out
    }
    case 'base64':
      if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(text)) throw new FunctionError('FUNCTION_ERROR', `Illegal base64 character in '${text}'`, fn)
      return Buffer.from(text, 'base64')
  }
}

export function bytesToText(bytes: Buffer, encoding: Encoding): string {
  switch (encoding) {
    case 'hex':
      return bytes.toString('hex')
    case 'utf8':
      return bytes.toString('utf8')
    case 'ascii': {
      // Java decodes bytes outside US-ASCII as U+FFFD.
      let s = ''
      for (const b of bytes) s += b < 128 ? String.fromCharCode(b) : '\uFFFD'
      return s
    }
    case 'base64':
      return bytes.toString('base64')
  }
}
