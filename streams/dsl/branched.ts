// Options of one branch of KStream.split().
import type { KStream } from './kstream.js'

export class Branched<K, V> {
  private constructor(
    readonly name: string | null,
    readonly chain: ((stream: KStream<K, V>) => KStream<K, V> | null | void) | null,
  ) {}
  static as<K, V>(name: string): Branched<K, V> {
    return new Branched<K, V>(name, null)
  }
  /** Transforms the branch; the returned stream (if any) is what the result map holds. */
  static withFunction<K, V>(fn: (stream: KStream<K, V>) => KStream<K, V> | null, name?: string): Branched<K, V> {
    return new Branched<K, V>(name ?? null, fn)
  }
  /** Consumes the branch; the result map does not hold it. */
  static withConsumer<K, V>(fn: (stream: KStream<K, V>) => void, name?: string): Branched<K, V> {
    return new Branched<K, V>(name ?? null, (s) => {
      fn(s)
      return null
    })
  }
}
