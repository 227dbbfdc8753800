// UTF-8 text written straight into a record batch (or any buffer), without an intermediate
// Buffer per string. Bytes are those Buffer.from(text, 'utf8') gives, lone surrogates included
// (they become U+FFFD, 3 bytes). Short text is measured and copied in JS: for the words and
// keys of stream processing that beats two native calls and a Buffer allocation.

/** Up to this many UTF-16 units a string is measured and written in JS; longer ones go native. */
const JS_MAX = 64

/** Bytes of `text` in UTF-8. */
export function utf8Length(text: string): number {
  const n = text.length
  if (n > JS_MAX) return Buffer.byteLength(text, 'utf8')
  let bytes = n
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) bytes += 1
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2 // a surrogate pair: 2 units, 4 bytes
      i++
    } else bytes += 2
  }
  return bytes
}

/** Writes `text` (whose UTF-8 length is `length`, from utf8Length) at `pos`; returns the position after it. */
export function writeUtf8(text: string, buf: Buffer, pos: number, length: number): number {
  const n = text.length
  if (length === n && n <= JS_MAX) {
    // ASCII: one byte per unit.
    for (let i = 0; i < n; i++) buf[pos + i] = text.charCodeAt(i)
    return pos + n
  }
  return pos + buf.write(text, pos, length, 'utf8')
}

/** Up to this many bytes ASCII text is read in JS: cheaper than the native call for a word. */
const JS_READ_MAX = 8

const native = Buffer.prototype as unknown as { utf8Slice(this: Buffer, start: number, end: number): string }

/** The text of buf[start, end) as toString('utf8', start, end) gives it, without its argument checks. */
export function readUtf8(buf: Buffer, start: number, end: number): string {
  const n = end - start
  if (n <= JS_READ_MAX) {
    let seen = 0
    for (let i = start; i < end; i++) seen |= buf[i]!
    // ASCII: one fromCharCode call with the units as arguments makes a flat string at once (adding
    // one character at a time builds a chain that a Map lookup then has to flatten).
    if (seen < 0x80) {
      const b = buf
      const s = start
      switch (n) {
        case 0: return ''
        case 1: return fromCharCode(b[s]!)
        case 2: return fromCharCode(b[s]!, b[s + 1]!)
        case 3: return fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!)
        case 4: return fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!)
        case 5: return fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!)
        case 6: return fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!)
        case 7: return fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!)
        default: return fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!)
      }
    }
  }
  return native.utf8Slice.call(buf, start, end)
}

const fromCharCode = String.fromCharCode
