// Avro in Confluent's wire format, with schemas from a registry: what Confluent's
// KafkaAvroSerializer / KafkaAvroDeserializer write and read, so records pass between Brook
// and Confluent-serialized applications unchanged. Serialize and deserialize are synchronous
// (a Kafka Streams serde cannot wait), so everything they need is fetched before: create()
// registers the writer schema (or looks it up) and reads every schema the registry knows.
//
// A record written with a schema registered after that is found by reading the registry again:
// the record fails with SCHEMA_NOT_FOUND naming the id and carrying `retryAfter` (the read), so
// Kafka Streams holds it and reads it again once the registry was read; other callers retry.
import avro from 'avsc'
import { SchemaRegistryException } from '../errors.js'
import type { SchemaRegistryClient } from '../types.js'
import { HEADER_SIZE, MAGIC_BYTE, readSchemaId } from './wire-format.js'

export interface AvroSerdeOptions {
  /** The schema records are written with, and read into (Avro's schema resolution). Without it the serde only reads, into each record's own writer schema. */
  schema?: string | object
  /** Key or value: decides the subject, `<topic>-key` or `<topic>-value` (Confluent's TopicNameStrategy). */
  isKey?: boolean
  /** Topics written: the schema is registered under each topic's subject at create(), as Confluent's auto.register.schemas does at the first record. */
  topics?: readonly string[]
  /** Register (true, default) or only look up (false: the subject must already hold the schema, as use.latest.version / auto.register.schemas=false). */
  autoRegister?: boolean
  /** Errors of background work (registering a new topic's subject, reading the registry again). Default: stderr. */
  log?: (line: string) => void
}

/** A streams-compatible serde: serialize(topic, value) / deserialize(topic, bytes). */
export class AvroSerde<T = unknown> {
  /** Writer schemas by id, as read from the registry (text): resolved against the serde's own schema at the first record that needs it. */
  private readonly writers = new Map<number, string>()
  private readonly readers = new Map<number, avro.Type | avro.Resolver>()
  private readonly subjectsDone = new Set<string>()
  private readonly failedSubjects = new Map<string, SchemaRegistryException>()
  private readonly fetching = new Map<number, Promise<void>>()
  private readonly log: (line: string) => void

  private constructor(
    private readonly registry: SchemaRegistryClient,
    private readonly type: avro.Type | null,
    private readonly id: number,
    private readonly isKey: boolean,
    private readonly autoRegister: boolean,
    log: ((line: string) => void) | undefined,
    /** The schema as given, registered under each subject written. */
    private readonly schemaText: string | null = null,
  ) {
    this.log = log ?? ((l) => process.stderr.write(`${l}\n`))
    if (type !== null && id !== -1) this.scratch = this.framed(1024)
  }

  static async create<T = unknown>(registry: SchemaRegistryClient, options: AvroSerdeOptions = {}): Promise<AvroSerde<T>> {
    const isKey = options.isKey === true
    const autoRegister = options.autoRegister !== false
    let type: avro.Type | null = null
    let id = -1
    const serde = (t: avro.Type | null, i: number, text: string | null = null): AvroSerde<T> => new AvroSerde<T>(registry, t, i, isKey, autoRegister, options.log, text)
    if (options.schema !== undefined) {
      const text = typeof options.schema === 'string' ? options.schema : JSON.stringify(options.schema)
      try {
        type = avro.Type.forSchema(JSON.parse(text) as avro.Schema)
      } catch (err) {
        throw new SchemaRegistryException('INVALID_SCHEMA', `Invalid schema: ${(err as Error).message}`, { field: 'schema', cause: err })
      }
      const topics = options.topics ?? []
      for (const topic of topics) {
        const subject = `${topic}-${isKey ? 'key' : 'value'}`
        const got = autoRegister ? await registry.register(subject, { schema: text }) : (await registry.lookup(subject, { schema: text })).id
        if (id !== -1 && got !== id) throw new SchemaRegistryException('STORE_ERROR', `The schema has id ${got} under '${subject}' and ${id} elsewhere`, { field: 'subject' })
        id = got
      }
      const s = serde(type, id, text)
      for (const topic of topics) s.subjectsDone.add(`${topic}-${isKey ? 'key' : 'value'}`)
      await s.loadKnown()
      return s
    }
    const s = serde(type, id)
    await s.loadKnown()
    return s
  }

  /** The registry's schemas, read now: ids the serde may meet in records. */
  private async loadKnown(): Promise<void> {
    for (const subject of await this.registry.getSubjects()) {
      for (const v of await this.registry.getVersions(subject)) {
        const r = await this.registry.getVersion(subject, v)
        this.writers.set(r.id, r.schema)
      }
    }
  }

  /** The reader of records written with schema `id`, made at the first such record; an error naming the id when the serde's schema cannot read them. */
  private readerOf(topic: string, id: number): avro.Type | avro.Resolver | undefined {
    let reader = this.readers.get(id)
    if (reader !== undefined) return reader
    const text = this.writers.get(id) ?? this.registry.cachedSchemaById?.(id)?.schema
    if (text === undefined) return undefined
    try {
      const writer = avro.Type.forSchema(JSON.parse(text) as avro.Schema)
      reader = this.type === null ? writer : this.type.createResolver(writer)
    } catch (err) {
      throw new SchemaRegistryException('INCOMPATIBLE_SCHEMA', `Records of topic '${topic}' written with schema ${id} cannot be read with this serde's schema: ${(err as Error).message}`, { field: 'id', cause: err })
    }
    this.readers.set(id, reader)
    return reader
  }

  serialize(topic: string, value: T | null): Buffer | null {
    if (value === null || value === undefined) return null
    if (this.type === null) throw new SchemaRegistryException('BAD_REQUEST', `This Avro serde was made without a schema: it reads, it cannot write (topic '${topic}')`, { field: 'schema' })
    if (this.id === -1) {
      throw new SchemaRegistryException('SCHEMA_NOT_FOUND', `The serde's schema has no id yet: pass the topics it writes to AvroSerde.create (topic '${topic}')`, { field: 'topics' })
    }
    // Records come in runs of one topic: its subject is looked at again only when a registration failed meanwhile.
    if (topic !== this.lastTopic || this.failedSubjects.size > 0) {
      const subject = `${topic}-${this.isKey ? 'key' : 'value'}`
      const failed = this.failedSubjects.get(subject)
      if (failed !== undefined) throw failed
      if (!this.subjectsDone.has(subject)) this.registerInBackground(subject)
      this.lastTopic = topic
    }
    // Encoded after the header in a reused buffer, then copied out once: one allocation per record.
    let end: number
    try {
      end = this.type.encode(value, this.scratch, HEADER_SIZE)
      if (end < 0) {
        this.scratch = this.framed(Math.max(this.scratch.length * 2, this.scratch.length - end))
        end = this.type.encode(value, this.scratch, HEADER_SIZE)
      }
    } catch (err) {
      throw new SchemaRegistryException('BAD_REQUEST', `Value does not match the Avro schema ${this.type.name ?? this.type.typeName} (topic '${topic}'): ${(err as Error).message}`, { field: 'value', cause: err })
    }
    const out = Buffer.allocUnsafe(end)
    this.scratch.copy(out, 0, 0, end)
    return out
  }

  private lastTopic = ''
  private scratch: Buffer = Buffer.alloc(0)

  /** A buffer of `size` bytes starting with the header of the serde's id. */
  private framed(size: number): Buffer {
    const b = Buffer.allocUnsafe(size)
    b[0] = MAGIC_BYTE
    b.writeInt32BE(this.id, 1)
    return b
  }

  deserialize(topic: string, bytes: Buffer | null): T | null {
    if (bytes === null || bytes === undefined) return null
    const id = readSchemaId(topic, bytes)
    // An in-process registry answers from what it has read, without waiting (readerOf asks it).
    const reader = this.readerOf(topic, id)
    if (reader === undefined) {
      throw new SchemaRegistryException('SCHEMA_NOT_FOUND', `Schema ${id} of a record of topic '${topic}' is not known to this serde yet (it is being fetched)`, { field: 'id', retryAfter: this.fetch(id) })
    }
    try {
      return (this.type === null ? (reader as avro.Type).fromBuffer(bytes.subarray(HEADER_SIZE)) : this.type.fromBuffer(bytes.subarray(HEADER_SIZE), reader as avro.Resolver)) as T
    } catch (err) {
      throw new SchemaRegistryException('BAD_REQUEST', `Record of topic '${topic}' does not decode with schema ${id}: ${(err as Error).message}`, { field: 'value', cause: err })
    }
  }

  /** The id records are written with (-1 before one is known). */
  get schemaId(): number {
    return this.id
  }

  private registerInBackground(subject: string): void {
    this.subjectsDone.add(subject)
    // The schema's own text: avsc's export drops properties (logicalType, scale) and would be another schema.
    const text = this.schemaText!
    const op = this.autoRegister ? this.registry.register(subject, { schema: text }) : this.registry.lookup(subject, { schema: text }).then((r) => r.id)
    op.then(
      (id) => {
        if (id !== this.id) this.failedSubjects.set(subject, new SchemaRegistryException('STORE_ERROR', `The schema has id ${id} under '${subject}', not ${this.id}`, { field: 'subject' }))
      },
      (err: unknown) => {
        const e = err instanceof SchemaRegistryException ? err : new SchemaRegistryException('STORE_ERROR', (err as Error).message, { cause: err })
        this.failedSubjects.set(subject, e)
        this.log(`AvroSerde: registering under '${subject}' failed: ${e.message}`)
      },
    )
  }

  /** Fetches the schema of an id met in a record (once at a time per id); settles when done, found or not. */
  private fetch(id: number): Promise<void> {
    let p = this.fetching.get(id)
    if (p === undefined) {
      p = this.registry
        .getSchemaById(id)
        .then((s) => void this.writers.set(id, s.schema))
        .catch((err: unknown) => this.log(`AvroSerde: fetching schema ${id} failed: ${(err as Error).message}`))
        .finally(() => this.fetching.delete(id))
      this.fetching.set(id, p)
    }
    return p
  }

  /** Resolves when the schemas being fetched (after unknown ids) are in. */
  async settled(): Promise<void> {
    await Promise.all(this.fetching.values())
  }
}
