// Single-function callbacks of the DSL, named as in Kafka Streams.
import type { KeyValue } from '../state/types.js'

export type Predicate<K, V> = (key: K, value: V) => boolean
export type ValueMapper<V, VR> = (value: V) => VR
export type ValueMapperWithKey<K, V, VR> = (key: K, value: V) => VR
export type KeyValueMapper<K, V, R> = (key: K, value: V) => R
export type ForeachAction<K, V> = (key: K, value: V) => void
export type ValueJoiner<V1, V2, VR> = (value1: V1, value2: V2) => VR
export type ValueJoinerWithKey<K, V1, V2, VR> = (key: K, value1: V1, value2: V2) => VR
export type Initializer<VA> = () => VA
export type Aggregator<K, V, VA> = (key: K, value: V, aggregate: VA) => VA
export type Reducer<V> = (aggregate: V, value: V) => V
export type Merger<K, V> = (key: K, aggregate1: V, aggregate2: V) => V

export function pair<K, V>(key: K, value: V): KeyValue<K, V> {
  return { key, value }
}
