// Kafka's murmur2 (the Java client's Utils.murmur2): the hash that places keyed
// records, so Brook and Java producers agree on partitions for the same key.

const SEED = 0x9747b28c
const M = 0x5bd1e995

/** h with one little-endian 4-byte block k mixed in. */
function mixBlock(h: number, k: number): number {
  k = Math.imul(k, M)
  k ^= k >>> 24
  k = Math.imul(k, M)
  return Math.imul(h, M) ^ k
}

/** The final avalanche, as a signed 32-bit int. */
function finalMix(h: number): number {
  h ^= h >>> 13
  h = Math.imul(h, M)
  h ^= h >>> 15
  return h | 0
}

/** Murmur2 of `data` (its `length` bytes from `start`) as a signed 32-bit int, bit-for-bit what Java returns. */
export function murmur2(data: Uint8Array, length = data.length, start = 0): number {
  let h = SEED ^ length
  const end4 = start + (length & ~3)
  for (let i = start; i < end4; i += 4) {
    h = mixBlock(h, data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))
  }
  // The 1-3 trailing bytes, as Java's fall-through switch mixes them.
  const tail = length & 3
  if (tail !== 0) {
    if (tail === 3) h ^= data[end4 + 2]! << 16
    if (tail >= 2) h ^= data[end4 + 1]! << 8
    h ^= data[end4]!
    h = Math.imul(h, M)
  }
  return finalMix(h)
}

/**
 * murmur2 of an ASCII text's bytes (one byte per UTF-16 unit), read from the string itself: no
 * copy of it in bytes first. null when the text is not ASCII (its UTF-8 bytes then differ).
 */
export function murmur2Ascii(text: string): number | null {
  const length = text.length
  let h = SEED ^ length
  let seen = 0
  const end4 = length & ~3
  for (let i = 0; i < end4; i += 4) {
    const a = text.charCodeAt(i)
    const b = text.charCodeAt(i + 1)
    const c = text.charCodeAt(i + 2)
    const d = text.charCodeAt(i + 3)
    seen |= a | b | c | d
    h = mixBlock(h, a | (b << 8) | (c << 16) | (d << 24))
  }
  const tail = length & 3
  if (tail !== 0) {
    if (tail === 3) {
      const c = text.charCodeAt(end4 + 2)
      seen |= c
      h ^= c << 16
    }
    if (tail >= 2) {
      const c = text.charCodeAt(end4 + 1)
      seen |= c
      h ^= c << 8
    }
    const c = text.charCodeAt(end4)
    seen |= c
    h ^= c
    h = Math.imul(h, M)
  }
  return seen >= 0x80 ? null : finalMix(h)
}

/** Java's Utils.toPositive: clears the sign bit (not Math.abs, which overflows on MIN_VALUE). */
export function toPositive(n: number): number {
  return n & 0x7fffffff
}
