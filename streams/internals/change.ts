// KTable processors pass Change values: the new value and the one it replaces.
import type { Serde } from '../serdes.js'

export interface Change<V> {
  newValue: V | null
  oldValue: V | null
}

export function change<V>(newValue: V | null, oldValue: V | null): Change<V> {
  return { newValue, oldValue }
}

/**
 * Change values on repartition topics (KGroupedTable): a flag byte then the
 * value bytes. Old and new values go as separate records so each can land on
 * the partition of its own group.
 */
export function changeSerde<V>(inner: Serde<V>): Serde<Change<V>> {
  return {
    serialize(topic, data) {
      if (data === null) return null
      const isNew = data.newValue !== null
      const v = isNew ? inner.serialize(topic, data.newValue) : inner.serialize(topic, data.oldValue)
      const b = Buffer.allocUnsafe(1 + (v?.length ?? 0))
      b[0] = isNew ? 1 : 0
      v?.copy(b, 1)
      return b
    },
    deserialize(topic, bytes) {
      if (bytes === null) return null
      const v = inner.deserialize(topic, bytes.subarray(1))
      return bytes[0] === 1 ? { newValue: v, oldValue: null } : { newValue: null, oldValue: v }
    },
  }
}

/** A value with the timestamp of its record, for buffers (suppression). */
export function timestampedSerde<V>(inner: Serde<V>): Serde<{ value: V | null; timestamp: number }> {
  return {
    serialize(topic, data) {
      if (data === null) return null
      const v = data.value === null ? null : inner.serialize(topic, data.value)
      const b = Buffer.allocUnsafe(9 + (v?.length ?? 0))
      b.writeDoubleBE(data.timestamp, 0)
      b[8] = v === null ? 0 : 1
      v?.copy(b, 9)
      return b
    },
    deserialize(topic, bytes) {
      if (bytes === null) return null
      return { timestamp: bytes.readDoubleBE(0), value: bytes[8] === 0 ? null : inner.deserialize(topic, bytes.subarray(9)) }
    },
  }
}
