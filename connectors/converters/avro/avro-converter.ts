// Confluent's io.confluent.connect.avro.AvroConverter on Brook's schema registry: Connect data
// as Avro in Confluent's wire format (magic byte 0, the schema's registry id as a big-endian
// int32, Avro binary), schemas registered under <topic>-key / <topic>-value (TopicNameStrategy).
//
// The Converter interface is synchronous and a registry is not, so the registry is only met in
// the prepare hooks the worker awaits once per batch: prepareFromConnectData registers the
// schemas of the batch's records that have no id yet, prepareToConnectData fetches the writer
// schemas of ids not seen yet. fromConnectData and toConnectData then only read caches: a batch
// of records of one schema costs one identity check per record.
import avro from 'avsc'
import { HttpSchemaRegistryClient, SchemaRegistryException, type SchemaRegistryClient } from '../../../registry/index.js'
import type { ConnectRecord } from '../../api/record.js'
import type { Schema } from '../../api/schema.js'
import { ConfigException, type ConnectException, DataException, errorMessage, RetriableException } from '../../errors.js'
import type { ByteRange, Converter, ConverterContext, RawRecord, SchemaAndValue } from '../converter.js'
import { schemaToJson } from '../json-converter.js'
import { AvroReader, AvroWriter } from './avro-binary.js'
import { parseAvroConverterConfig, type AvroConverterConfig } from './avro-converter-config.js'
import { fromConnectSchema, parseAvroNode, toConnectSchema, type AvroNode } from './avro-data.js'
import { compileDecoder, compileEncoder, type Decoder, type Encoder } from './avro-values.js'

const HEADER_SIZE = 5

/** A Connect schema made ready to write: its Avro schema (text as registered), its encoder, its ids by subject. */
interface WriterEntry {
  readonly text: string
  readonly encode: Encoder
  /** The Avro schema's name (a record's full name, else its type): the subject of the record name strategies. */
  readonly avroName: string
  /** Shared by every entry of the same Avro text: registering once serves them all. */
  readonly ids: Map<string, number>
  lastSubject: string
  lastId: number
}

/** A writer schema made ready to read: the Connect schema AvroData makes of it and its decoder; or why it cannot be read. */
type ReaderEntry = { readonly schema: Schema | null; readonly decode: Decoder } | DataException

export class AvroConverter implements Converter {
  private config!: AvroConverterConfig
  private isKey = false
  private client: SchemaRegistryClient | null = null
  private opening: Promise<SchemaRegistryClient> | null = null
  private readonly out = new AvroWriter()
  // Writing: Connect schema object → entry; other objects of the same shape (transforms derive a
  // schema per record) find it by the shape's JSON.
  private writers = new WeakMap<Schema, WriterEntry>()
  private writersByShape = new Map<string, WriterEntry>()
  private idsByText = new Map<string, Map<string, number>>()
  private anything: WriterEntry | null = null
  private lastSchema: Schema | null | undefined = undefined
  private lastWriter: WriterEntry | null = null
  private lastTopic = ''
  private lastTopicSubject = ''
  // Reading: (subject, id) → entry; the version a Connect schema carries is the subject's.
  private readers = new Map<string, ReaderEntry>()
  private writerSchemas = new Map<number, { text: string; node: AvroNode } | DataException>()
  private lastReadTopic = ''
  private lastReadId = -1
  private lastReader: ReaderEntry | null = null

  constructor(private readonly context?: ConverterContext) {}

  configure(props: Record<string, string>, isKey: boolean): void {
    this.config = parseAvroConverterConfig(props, isKey)
    this.isKey = isKey
    if (this.config.schemaRegistryUrl === null && this.context === undefined) {
      throw new ConfigException('schema.registry.url', "is required here: without it the converter uses Brook's own registry on the worker's broker, and there is no worker")
    }
    this.client = null
    this.opening = null
    this.writers = new WeakMap()
    this.writersByShape = new Map()
    this.idsByText = new Map()
    this.anything = null
    this.lastSchema = undefined
    this.readers = new Map()
    this.writerSchemas = new Map()
    this.lastReadId = -1
  }

  /** The registry client: the REST API at schema.registry.url, else the worker's own registry. */
  registry(): Promise<SchemaRegistryClient> {
    if (this.client !== null) return Promise.resolve(this.client)
    if (this.config.schemaRegistryUrl !== null) {
      this.client = new HttpSchemaRegistryClient(this.config.schemaRegistryUrl)
      return Promise.resolve(this.client)
    }
    this.opening ??= this.context!.schemaRegistry().then(
      (c) => (this.client = c),
      (err: unknown) => {
        this.opening = null
        throw err
      },
    )
    return this.opening
  }

  // --- Connect → bytes ---

  fromConnectData(topic: string, schema: Schema | null, value: unknown): Buffer | null {
    if (!this.write(topic, schema, value)) return null
    return this.out.finish()
  }

  fromConnectDataRange(topic: string, schema: Schema | null, value: unknown, into: ByteRange): boolean {
    if (!this.write(topic, schema, value)) return false
    this.out.finishInto(into)
    return true
  }

  private write(topic: string, schema: Schema | null, value: unknown): boolean {
    if (value === null || value === undefined) {
      if (schema !== null && !schema.optional) throw new DataException(`Failed to serialize Avro data from topic ${topic}: Found null value for non-optional schema`)
      return false
    }
    const e = this.writer(topic, schema)
    const subject = this.subject(topic, e)
    let id = e.lastId
    if (subject !== e.lastSubject) {
      const known = e.ids.get(subject)
      if (known === undefined) {
        throw new DataException(`Failed to serialize Avro data from topic ${topic}: the schema has no id under subject '${subject}' yet (prepareFromConnectData registers it; the worker calls it before converting a batch)`)
      }
      id = known
      e.lastSubject = subject
      e.lastId = id
    }
    const w = this.out
    w.begin()
    w.header(id)
    try {
      e.encode(w, value)
    } catch (err) {
      throw new DataException(`Failed to serialize Avro data from topic ${topic}: ${errorMessage(err)}`, { cause: err })
    }
    return true
  }

  /** The entry of a Connect schema, converted to Avro and compiled at its first record. */
  private writer(topic: string, schema: Schema | null): WriterEntry {
    if (schema === this.lastSchema) return this.lastWriter!
    let e = schema === null ? this.anything : this.writers.get(schema)
    if (e === undefined || e === null) {
      try {
        e = schema === null ? this.newWriter(null) : this.writerByShape(schema)
      } catch (err) {
        throw new DataException(`Failed to serialize Avro data from topic ${topic}: ${errorMessage(err)}`, { cause: err })
      }
      if (schema === null) this.anything = e
      else this.writers.set(schema, e)
    }
    this.lastSchema = schema
    this.lastWriter = e
    return e
  }

  private writerByShape(schema: Schema): WriterEntry {
    const shape = JSON.stringify(schemaToJson(schema))
    let e = this.writersByShape.get(shape)
    if (e === undefined) {
      e = this.newWriter(schema)
      if (this.writersByShape.size >= this.config.schemasCacheSize) this.writersByShape.clear()
      this.writersByShape.set(shape, e)
    }
    return e
  }

  private newWriter(schema: Schema | null): WriterEntry {
    const json = fromConnectSchema(schema, this.config.data)
    try {
      avro.Type.forSchema(json as avro.Schema)
    } catch (err) {
      const hint = this.config.data.scrubInvalidNames ? '' : ' (scrub.invalid.names=true replaces the characters Avro names may not hold)'
      throw new DataException(`the Connect schema ${schema?.name ?? ''} makes no valid Avro schema: ${errorMessage(err)}${/name/i.test(errorMessage(err)) ? hint : ''}`, { cause: err })
    }
    const text = JSON.stringify(json)
    const node = parseAvroNode(json)
    let ids = this.idsByText.get(text)
    if (ids === undefined) {
      if (this.idsByText.size >= this.config.schemasCacheSize) this.idsByText.clear()
      this.idsByText.set(text, (ids = new Map()))
    }
    return { text, encode: compileEncoder(node, schema), avroName: avroName(node), ids, lastSubject: '', lastId: -1 }
  }

  private subject(topic: string, e: WriterEntry): string {
    switch (this.config.subjectNameStrategy) {
      case 'TopicNameStrategy':
        if (topic !== this.lastTopic) {
          this.lastTopic = topic
          this.lastTopicSubject = `${topic}-${this.isKey ? 'key' : 'value'}`
        }
        return this.lastTopicSubject
      case 'RecordNameStrategy':
        return e.avroName
      case 'TopicRecordNameStrategy':
        return `${topic}-${e.avroName}`
    }
  }

  /**
   * Registers (auto.register.schemas) or looks up the schemas of the records' keys or values that
   * have no id under their subject yet; null when every one has. A refusal (an incompatible
   * schema: 409) rejects with a DataException carrying the registry's message; an unreachable
   * registry with a RetriableException.
   */
  prepareFromConnectData(records: readonly ConnectRecord[]): Promise<void> | null {
    let missing: Map<string, { topic: string; subject: string; entry: WriterEntry }> | null = null
    for (const r of records) {
      const value = this.isKey ? r.key : r.value
      if (value === null || value === undefined) continue
      let e: WriterEntry
      try {
        e = this.writer(r.topic, this.isKey ? r.keySchema : r.valueSchema)
      } catch {
        continue // fromConnectData fails this record with the reason
      }
      const subject = this.subject(r.topic, e)
      if (subject === e.lastSubject || e.ids.has(subject)) continue
      missing ??= new Map()
      missing.set(`${subject}\u0000${e.text}`, { topic: r.topic, subject, entry: e })
    }
    return missing === null ? null : this.register([...missing.values()])
  }

  private async register(items: Array<{ topic: string; subject: string; entry: WriterEntry }>): Promise<void> {
    const registry = await this.registry()
    for (const { topic, subject, entry } of items) {
      let id: number
      try {
        id = this.config.autoRegisterSchemas ? await registry.register(subject, { schema: entry.text }) : (await registry.lookup(subject, { schema: entry.text })).id
      } catch (err) {
        const what = this.config.autoRegisterSchemas ? 'Error registering Avro schema' : 'Error retrieving Avro schema'
        throw registryFailure(`Failed to serialize Avro data from topic ${topic}: ${what} under subject '${subject}'`, err)
      }
      entry.ids.set(subject, id)
    }
  }

  // --- bytes → Connect ---

  toConnectData(topic: string, bytes: Buffer | null): SchemaAndValue {
    if (bytes === null) return { schema: null, value: null }
    if (bytes.length < HEADER_SIZE || bytes[0] !== 0) {
      throw new DataException(`Failed to deserialize data for topic ${topic} to Avro: Unknown magic byte! (${bytes.length < HEADER_SIZE ? `${bytes.length} bytes` : `byte ${bytes[0]}`}, not the schema registry's framing)`)
    }
    const id = bytes.readInt32BE(1)
    let rd: ReaderEntry | undefined
    if (id === this.lastReadId && topic === this.lastReadTopic) rd = this.lastReader!
    else {
      rd = this.readers.get(this.readerKey(topic, id)) ?? this.readerFromCache(topic, id)
      if (rd === undefined) {
        throw new DataException(`Failed to deserialize data for topic ${topic} to Avro: schema ${id} is not known yet (prepareToConnectData fetches it; the worker calls it before converting a batch)`)
      }
      this.lastReadTopic = topic
      this.lastReadId = id
      this.lastReader = rd
    }
    if (rd instanceof DataException) throw rd
    try {
      return { schema: rd.schema, value: rd.decode(new AvroReader(bytes, HEADER_SIZE)) }
    } catch (err) {
      throw new DataException(`Failed to deserialize data for topic ${topic} to Avro: schema ${id}: ${errorMessage(err)}`, { cause: err })
    }
  }

  /** Fetches the writer schemas of the records' ids not read before (and their versions under the subject); null when all are known. */
  prepareToConnectData(records: readonly RawRecord[]): Promise<void> | null {
    let missing: Map<string, { topic: string; id: number }> | null = null
    for (const r of records) {
      const bytes = this.isKey ? r.key : r.value
      if (bytes === null || bytes.length < HEADER_SIZE || bytes[0] !== 0) continue
      const id = bytes.readInt32BE(1)
      if (id === this.lastReadId && r.topic === this.lastReadTopic) continue
      const key = this.readerKey(r.topic, id)
      if (this.readers.has(key)) continue
      missing ??= new Map()
      missing.set(key, { topic: r.topic, id })
    }
    return missing === null ? null : this.fetch([...missing.values()])
  }

  private async fetch(items: Array<{ topic: string; id: number }>): Promise<void> {
    const registry = await this.registry()
    for (const { topic, id } of items) {
      const writer = await this.writerSchema(registry, topic, id)
      if (writer instanceof DataException) {
        this.putReader(this.readerKey(topic, id), writer)
        continue
      }
      // The Connect schema's version is the writer schema's version under the subject (connect.version wins).
      const subject = this.readSubject(topic, writer.node)
      let version: number | undefined
      try {
        version = (await registry.lookup(subject, { schema: writer.text })).version
      } catch (err) {
        if (isRetriable(err)) throw registryFailure(`Failed to deserialize data for topic ${topic} to Avro: Error retrieving the version of schema ${id} under subject '${subject}'`, err)
        version = undefined // written under another subject: no version, as the schema reads the same
      }
      this.putReader(this.readerKey(topic, id), this.reader(topic, id, writer.node, version))
    }
  }

  private async writerSchema(registry: SchemaRegistryClient, topic: string, id: number): Promise<{ text: string; node: AvroNode } | DataException> {
    let w = this.writerSchemas.get(id)
    if (w !== undefined) return w
    try {
      const got = await registry.getSchemaById(id)
      w = got.schemaType !== 'AVRO' ? new DataException(`Failed to deserialize data for topic ${topic} to Avro: schema ${id} is ${got.schemaType}, not AVRO`) : { text: got.schema, node: parseAvroNode(JSON.parse(got.schema)) }
    } catch (err) {
      if (isRetriable(err)) throw registryFailure(`Failed to deserialize data for topic ${topic} to Avro: Error retrieving Avro schema for id ${id}`, err)
      w = err instanceof DataException ? err : (registryFailure(`Failed to deserialize data for topic ${topic} to Avro: Error retrieving Avro schema for id ${id}`, err) as DataException)
    }
    if (this.writerSchemas.size >= this.config.schemasCacheSize) this.writerSchemas.clear()
    this.writerSchemas.set(id, w)
    return w
  }

  private reader(topic: string, id: number, node: AvroNode, version: number | undefined): ReaderEntry {
    try {
      const schema = toConnectSchema(node, this.config.data, version)
      return { schema, decode: compileDecoder(node, schema) }
    } catch (err) {
      return new DataException(`Failed to deserialize data for topic ${topic} to Avro: schema ${id}: ${errorMessage(err)}`, { cause: err })
    }
  }

  /** Without the prepare hook (a caller outside the worker): what an in-process registry already knows, without a version. */
  private readerFromCache(topic: string, id: number): ReaderEntry | undefined {
    const cached = this.client?.cachedSchemaById?.(id)
    if (cached === undefined) return undefined
    let rd: ReaderEntry
    try {
      rd = this.reader(topic, id, parseAvroNode(JSON.parse(cached.schema)), undefined)
    } catch (err) {
      rd = new DataException(`Failed to deserialize data for topic ${topic} to Avro: schema ${id}: ${errorMessage(err)}`, { cause: err })
    }
    this.putReader(this.readerKey(topic, id), rd)
    return rd
  }

  private putReader(key: string, rd: ReaderEntry): void {
    if (this.readers.size >= this.config.schemasCacheSize) this.readers.clear()
    this.readers.set(key, rd)
  }

  /** Readers are per topic and id: the subject (and so the version) follows the topic. */
  private readerKey(topic: string, id: number): string {
    return `${id}\u0000${topic}`
  }

  private readSubject(topic: string, node: AvroNode): string {
    switch (this.config.subjectNameStrategy) {
      case 'TopicNameStrategy':
        return `${topic}-${this.isKey ? 'key' : 'value'}`
      case 'RecordNameStrategy':
        return avroName(node)
      case 'TopicRecordNameStrategy':
        return `${topic}-${avroName(node)}`
    }
  }
}

/** What the record name strategies call a schema: a named type's full name, else its type. */
function avroName(node: AvroNode): string {
  return node.kind === 'record' || node.kind === 'enum' || node.kind === 'fixed' ? node.name : node.kind
}

/** A registry that cannot be reached or answers 5xx: worth retrying. */
function isRetriable(err: unknown): boolean {
  return err instanceof RetriableException || (err instanceof SchemaRegistryException && (err.code === 'STORE_ERROR' || err.code === 'OPERATION_TIMEOUT'))
}

/** A registry failure as Connect reports it: retriable when the registry could not answer, else a DataException with the registry's message and error code. */
function registryFailure(what: string, err: unknown): ConnectException {
  if (err instanceof SchemaRegistryException) {
    const message = `${what}: ${err.message}; error code: ${err.errorCode}`
    return isRetriable(err) ? new RetriableException(message, { cause: err }) : new DataException(message, { cause: err })
  }
  if (err instanceof RetriableException) return new RetriableException(`${what}: ${err.message}`, { cause: err })
  return new DataException(`${what}: ${errorMessage(err)}`, { cause: err })
}
