// Writes JSON text straight into bytes: one record's message is written at the end of a shared
// slab and handed out as a view of it (no string building, no copy per record). A slab is never
// written twice: when one is full the next record starts a new slab, and the old one lives as
// long as views of it do (the way Node pools small Buffers).

import { SlabWriter } from './slab-writer.js'

const QUOTE = 34
const BACKSLASH = 92

export class JsonWriter extends SlabWriter {
  /** Bytes as they are (cached JSON fragments). */
  bytes(b: Buffer): void {
    const n = b.length
    this.reserve(n)
    if (n < 16) {
      const buf = this.buf
      let p = this.pos
      for (let i = 0; i < n; i++) buf[p++] = b[i]!
      this.pos = p
    } else {
      this.buf.set(b, this.pos)
      this.pos += n
    }
  }

  /** Text known to be ASCII and valid JSON where it goes (numbers, literals, pre-quoted names). */
  ascii(s: string): void {
    const n = s.length
    this.reserve(n)
    const buf = this.buf
    let p = this.pos
    if (n < 32) {
      for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i)
    } else p += buf.write(s, p, 'latin1')
    this.pos = p
  }

  byte(c: number): void {
    this.reserve(1)
    this.buf[this.pos++] = c
  }

  /** A JSON string: printable ASCII is copied as it is, anything else goes through JSON.stringify. */
  string(s: string): void {
    const n = s.length
    this.reserve(n + 2)
    const buf = this.buf
    let p = this.pos
    buf[p++] = QUOTE
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) return this.escaped(s)
      buf[p++] = c
    }
    buf[p++] = QUOTE
    this.pos = p
  }

  private escaped(s: string): void {
    const json = JSON.stringify(s)
    this.reserve(json.length * 3)
    this.pos += this.buf.write(json, this.pos, 'utf8')
  }

  /** The literal null. */
  nul(): void {
    this.reserve(4)
    const buf = this.buf
    const p = this.pos
    buf[p] = 110
    buf[p + 1] = 117
    buf[p + 2] = 108
    buf[p + 3] = 108
    this.pos = p + 4
  }

  /** A finite number as JSON writes it; safe integers digit by digit (no string). */
  number(n: number): void {
    if (!Number.isSafeInteger(n) || (n === 0 && 1 / n < 0)) return this.ascii(String(n))
    this.reserve(17)
    let v = n
    if (v < 0) {
      this.buf[this.pos++] = 45
      v = -v
    }
    if (v < 100_000_000) return this.digits(v)
    // Beyond 8 digits: the high part (below 2^31 for any safe integer) and 8 low digits, in int32 arithmetic.
    const hi = Math.floor(v / 100_000_000)
    this.digits(hi)
    const buf = this.buf
    let lo = v - hi * 100_000_000
    const end = this.pos + 8
    for (let p = end - 1; p >= this.pos; p--) {
      const q = (lo / 10) | 0
      buf[p] = 48 + lo - q * 10
      lo = q
    }
    this.pos = end
  }

  /** A non-negative integer below 2^31 (room already ensured). */
  private digits(v: number): void {
    let len = 1
    for (let x = v; x >= 10; x = (x / 10) | 0) len++
    const buf = this.buf
    const end = this.pos + len
    let x = v
    for (let p = end - 1; p >= this.pos; p--) {
      const q = (x / 10) | 0
      buf[p] = 48 + x - q * 10
      x = q
    }
    this.pos = end
  }

  /** The first `n` bytes of `bytes` in base64 (standard alphabet, padded), without quotes. */
  base64(bytes: Uint8Array, n: number): void {
    this.reserve(((n + 2) / 3) * 4 + 4)
    const buf = this.buf
    let p = this.pos
    let i = 0
    for (; i + 2 < n; i += 3) {
      const x = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
      buf[p++] = B64[x >> 18]!
      buf[p++] = B64[(x >> 12) & 63]!
      buf[p++] = B64[(x >> 6) & 63]!
      buf[p++] = B64[x & 63]!
    }
    if (i + 1 === n) {
      const x = bytes[i]! << 16
      buf[p++] = B64[x >> 18]!
      buf[p++] = B64[(x >> 12) & 63]!
      buf[p++] = 61
      buf[p++] = 61
    } else if (i + 2 === n) {
      const x = (bytes[i]! << 16) | (bytes[i + 1]! << 8)
      buf[p++] = B64[x >> 18]!
      buf[p++] = B64[(x >> 12) & 63]!
      buf[p++] = B64[(x >> 6) & 63]!
      buf[p++] = 61
    }
    this.pos = p
  }
}

const B64 = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 'latin1')
