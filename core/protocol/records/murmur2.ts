// Kafka's murmur2 (the Java client's Utils.murmur2): the hash that places keyed
// records, so Brook and Java producers agree on partitions for the same key.

const SEED = 0x9747b28c
const M = 0x5bd1e995

/** Murmur2 of `data` (its `length` bytes from `start`) as a signed 32-bit int, bit-for-bit what Java returns. */
export function murmur2(data: Uint8Array, length = data.length, start = 0): number {
  let h = SEED ^ length
  const end4 = start + (length & ~3)
  for (let i = start; i < end4; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)
    k = Math.imul(k, M)
    k ^= k >>> 24
    k = Math.imul(k, M)
    h = Math.imul(h, M) ^ k
  }
  // The 1-3 trailing bytes, as Java's fall-through switch mixes them.
  const tail = length & 3
  if (tail !== 0) {
    if (tail === 3) h ^= data[end4 + 2]! << 16
    if (tail >= 2) h ^= data[end4 + 1]! << 8
    h ^= data[end4]!
    h = Math.imul(h, M)
  }
  h ^= h >>> 13
  h = Math.imul(h, M)
  h ^= h >>> 15
  return h | 0
}

/** Java's Utils.toPositive: clears the sign bit (not Math.abs, which overflows on MIN_VALUE). */
export function toPositive(n: number): number {
  return n & 0x7fffffff
}
