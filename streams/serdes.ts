// Serializers and deserializers between typed values and bytes. Formats match
// the Java client where one exists (Long, Integer, Double, String) so data is
// readable from both sides.
import avro from 'avsc'
import { readInt64, writeInt64 } from '../core/protocol/records/batch-header.js'
import { readUtf8 } from '../core/protocol/records/utf8.js'
import { StreamsException } from './errors.js'
import type { Windowed } from './dsl/windowed.js'

export interface Serializer<T> {
  serialize(topic: string, data: T | null): Buffer | null
}

export interface Deserializer<T> {
  /**
   * A deserializer that needs something it can only fetch asynchronously (a schema registry's
   * schema) throws an error with `retryAfter: Promise<unknown>`: KafkaStreams holds the record and
   * the rest of its partition (other partitions go on, nothing after it is committed) and processes
   * it again once the promise settles, for up to taskTimeoutMs (task.timeout.ms); then the error
   * goes to the deserialization handler.
   */
  deserialize(topic: string, data: Buffer | null): T | null
  /**
   * Optional: reads bytes[start, end) in place, as Kafka's deserialize(topic, headers, ByteBuffer)
   * does, so a polled key or value needs no Buffer of its own. Same result as deserialize() of
   * those bytes.
   */
  deserializeFrom?(topic: string, bytes: Buffer, start: number, end: number): T | null
}

export interface Serde<T> extends Serializer<T>, Deserializer<T> {}

function serde<T>(name: string, ser: (data: T) => Buffer, de: (bytes: Buffer) => T): Serde<T> {
  return {
    serialize: (_topic, data) => (data === null || data === undefined ? null : ser(data)),
    deserialize: (topic, bytes) => {
      if (bytes === null || bytes === undefined) return null
      try {
        return de(bytes)
      } catch (err) {
        throw new StreamsException(`${name} serde cannot read ${bytes.length} bytes from topic '${topic}'`, { cause: err })
      }
    },
  }
}

function fixedSize(name: string, size: number, bytes: Buffer): void {
  if (bytes.length !== size) throw new Error(`${name} expects ${size} bytes, got ${bytes.length}`)
}

/** Strings up to this length are remembered; longer ones rarely repeat back to back. */
const MEMO_MAX = 64
/** Decoded text is remembered up to this many bytes: keys and words repeat back to back, lines do not (and copying them costs). */
const DECODE_MEMO_MAX = 16

/**
 * UTF-8 strings. Remembers the last short string in each direction: a record's key and value are
 * often the same text (word count's repartition carries the word as both), and a store gets then
 * puts one key. Buffers are never written after serialization, so one can be handed out twice.
 */
class StringSerde implements Serde<string> {
  private lastString = ''
  private lastBytes: Buffer | null = null
  /** A private copy of the last decoded bytes: the caller's buffer may be reused after the call. */
  private readonly decoded = Buffer.alloc(DECODE_MEMO_MAX)
  private decodedLength = -1
  private decodedString = ''

  serialize(_topic: string, data: string | null): Buffer | null {
    if (data === null || data === undefined) return null
    if (data === this.lastString && this.lastBytes !== null) return this.lastBytes
    const bytes = Buffer.from(data, 'utf8')
    if (data.length <= MEMO_MAX) {
      this.lastString = data
      this.lastBytes = bytes
    }
    return bytes
  }

  deserialize(_topic: string, bytes: Buffer | null): string | null {
    if (bytes === null || bytes === undefined) return null
    return this.deserializeFrom(_topic, bytes, 0, bytes.length)
  }

  deserializeFrom(_topic: string, bytes: Buffer, start: number, end: number): string {
    const n = end - start
    if (n > DECODE_MEMO_MAX) return readUtf8(bytes, start, end)
    const memo = this.decoded
    if (n === this.decodedLength && sameBytes(memo, bytes, start, n)) return this.decodedString
    const s = readUtf8(bytes, start, end)
    for (let i = 0; i < n; i++) memo[i] = bytes[start + i]!
    this.decodedLength = n
    this.decodedString = s
    return s
  }
}

function sameBytes(memo: Buffer, b: Buffer, start: number, n: number): boolean {
  for (let i = n - 1; i >= 0; i--) if (memo[i] !== b[start + i]) return false
  return true
}

const stringSerde = new StringSerde()

/**
 * True for Serdes.String(): a sink hands its strings to the producer as they are, which writes
 * their UTF-8 bytes straight into the record batch (the same bytes serialize() would give).
 */
export function isStringSerde(serde: Serde<unknown>): boolean {
  return serde === (stringSerde as Serde<unknown>)
}
const longSerde: Serde<number> = {
  ...serde<number>(
    'Long',
    (n) => {
      const b = Buffer.allocUnsafe(8)
      writeInt64(b, 0, n)
      return b
    },
    (b) => {
      fixedSize('Long', 8, b)
      return readInt64(b, 0)
    },
  ),
  deserializeFrom(topic, bytes, start, end) {
    if (end - start !== 8) throw new StreamsException(`Long serde cannot read ${end - start} bytes from topic '${topic}'`, { cause: new Error(`Long expects 8 bytes, got ${end - start}`) })
    return readInt64(bytes, start)
  },
}
const integerSerde = serde<number>(
  'Integer',
  (n) => {
    const b = Buffer.allocUnsafe(4)
    b.writeInt32BE(n, 0)
    return b
  },
  (b) => {
    fixedSize('Integer', 4, b)
    return b.readInt32BE(0)
  },
)
const doubleSerde = serde<number>(
  'Double',
  (n) => {
    const b = Buffer.allocUnsafe(8)
    b.writeDoubleBE(n, 0)
    return b
  },
  (b) => {
    fixedSize('Double', 8, b)
    return b.readDoubleBE(0)
  },
)
const bytesSerde = serde<Buffer>('Bytes', (b) => b, (b) => b)
const jsonSerde = serde<unknown>('JSON', (v) => Buffer.from(JSON.stringify(v), 'utf8'), (b) => JSON.parse(b.toString('utf8')) as unknown)

/**
 * For the built-in serdes where it is cheap to tell: whether a value comes back as itself from
 * deserialize(serialize(value)) (a Long that is a safe integer, an Integer in range, any Double,
 * well-formed text). A record cache may then keep the value as it was put. null for any other
 * serde (the cache keeps what deserialize gives instead).
 */
export function exactValues(serde: Serde<unknown>): ((value: unknown) => boolean) | null {
  if (serde === (longSerde as Serde<unknown>)) return (v) => Number.isSafeInteger(v) && !Object.is(v, -0)
  if (serde === (integerSerde as Serde<unknown>)) return (v) => Number.isInteger(v) && (v as number) >= -0x80000000 && (v as number) <= 0x7fffffff && !Object.is(v, -0)
  if (serde === (doubleSerde as Serde<unknown>)) return (v) => typeof v === 'number'
  if (serde === (stringSerde as Serde<unknown>)) return (v) => typeof v === 'string' && (v as unknown as { isWellFormed(): boolean }).isWellFormed()
  return null
}

export const Serdes = {
  /** UTF-8 text. */
  String: (): Serde<string> => stringSerde,
  /** 8-byte big-endian two's complement, as Java's LongSerde; values must stay within ±2^53. */
  Long: (): Serde<number> => longSerde,
  /** 4-byte big-endian signed, as Java's IntegerSerde. */
  Integer: (): Serde<number> => integerSerde,
  /** 8-byte big-endian IEEE 754, as Java's DoubleSerde. */
  Double: (): Serde<number> => doubleSerde,
  /** Raw bytes, unchanged. */
  Bytes: (): Serde<Buffer> => bytesSerde,
  /** UTF-8 JSON text; the type parameter is trusted, not validated. */
  JSON: <T>(): Serde<T> => jsonSerde as Serde<T>,
  /** Avro binary encoding (no schema-registry framing) for the given schema. */
  Avro: <T>(schema: avro.Schema): Serde<T> => {
    const type = avro.Type.forSchema(schema)
    return serde<T>(
      'Avro',
      (v) => type.toBuffer(v),
      (b) => type.fromBuffer(b) as T,
    )
  },
  /** A serde from two functions. */
  from: <T>(serialize: (data: T) => Buffer, deserialize: (bytes: Buffer) => T, name = 'Custom'): Serde<T> =>
    serde<T>(name, serialize, deserialize),
}

/** Serdes of windowed keys, laid out as Kafka's: time windows = key | start (8); session windows = key | end (8) | start (8). */
export const WindowedSerdes = {
  timeWindowedSerdeFrom<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
    return {
      serialize(topic, data) {
        if (data === null || data === undefined) return null
        const k = inner.serialize(topic, data.key) ?? Buffer.alloc(0)
        const b = Buffer.allocUnsafe(k.length + 8)
        k.copy(b, 0)
        writeInt64(b, k.length, data.window.start)
        return b
      },
      deserialize(topic, bytes) {
        if (bytes === null || bytes === undefined) return null
        if (bytes.length < 8) throw new StreamsException(`Windowed key on topic '${topic}' is shorter than 8 bytes`)
        const start = readInt64(bytes, bytes.length - 8)
        return { key: inner.deserialize(topic, bytes.subarray(0, bytes.length - 8)) as K, window: { start, end: start + windowSizeMs } }
      },
    }
  },
  sessionWindowedSerdeFrom<K>(inner: Serde<K>): Serde<Windowed<K>> {
    return {
      serialize(topic, data) {
        if (data === null || data === undefined) return null
        const k = inner.serialize(topic, data.key) ?? Buffer.alloc(0)
        const b = Buffer.allocUnsafe(k.length + 16)
        k.copy(b, 0)
        writeInt64(b, k.length, data.window.end)
        writeInt64(b, k.length + 8, data.window.start)
        return b
      },
      deserialize(topic, bytes) {
        if (bytes === null || bytes === undefined) return null
        if (bytes.length < 16) throw new StreamsException(`Session-windowed key on topic '${topic}' is shorter than 16 bytes`)
        const n = bytes.length - 16
        return { key: inner.deserialize(topic, bytes.subarray(0, n)) as K, window: { start: readInt64(bytes, n + 8), end: readInt64(bytes, n) } }
      },
    }
  },
}
