// A schema registry whose every schema, version and config is a record of one compacted
// topic (_schemas, as Confluent Schema Registry's kafkastore.topic), reached through any
// BrookClient: the embedded broker, Brook's server, or Apache Kafka.
//
// Reads answer from the state built from the topic; a miss reads the topic to its end first, so a
// schema another registry registered is found; lists and the latest version read to the end always. Writes read to the end, decide (id, version,
// compatibility), write one record acknowledged by all, then read past it: when the log's order
// voided the claim (another registry won the id or the version), they decide again.
import type { Admin, BrookClient, Consumer, Producer } from '../../core/client/types.js'
import { BrookError } from '../../core/errors.js'
import { SchemaRegistryException, schemaNotFound, subjectNotFound, versionNotFound } from '../errors.js'
import { parseAvroSchema, readError, type ParsedSchema } from '../schema/avro.js'
import { COMPATIBILITY_LEVELS, DEFAULT_COMPATIBILITY, type CompatibilityLevel, type RegisteredSchema, type SchemaInput, type SchemaRegistryClient, type SchemaType } from '../types.js'
import { configKey, configValue, schemaKey, schemaValue } from './records.js'
import { RegistryState, type IdEntry, type VersionEntry } from './state.js'

export interface TopicSchemaRegistryOptions {
  /** The topic holding the schemas (Confluent's kafkastore.topic). Default `_schemas`. */
  topic?: string
  /** How many times a write is decided again after losing a race to another registry. Default 10. */
  maxWriteAttempts?: number
  /** Where records the registry cannot use are reported (damaged, or voided claims). Default: stderr. */
  log?: (line: string) => void
}

export const DEFAULT_SCHEMAS_TOPIC = '_schemas'

function canonicalize(schemaType: SchemaType, schema: string): string {
  if (schemaType !== 'AVRO') throw unsupportedType(schemaType)
  return parseAvroSchema(schema).canonical
}

const unsupportedType = (t: string): SchemaRegistryException =>
  new SchemaRegistryException('INVALID_SCHEMA', `Invalid schema: schema type ${t} is not supported (Brook's registry stores AVRO)`, { field: 'schemaType' })

export class TopicSchemaRegistry implements SchemaRegistryClient {
  private readonly state = new RegistryState(canonicalize)
  private readonly tp: { topic: string; partition: number }
  /** Reads and writes of the topic, one at a time. */
  private queue: Promise<unknown> = Promise.resolve()
  private reported = 0
  private closed = false
  /** Parsed schemas by id: parsing is the cost of a compatibility check. */
  private readonly parsed = new Map<number, ParsedSchema>()

  private constructor(
    private readonly consumer: Consumer,
    private readonly producer: Producer,
    readonly topic: string,
    private readonly maxAttempts: number,
    private readonly log: (line: string) => void,
  ) {
    this.tp = { topic, partition: 0 }
  }

  /** Opens the registry: creates the topic (compacted, one partition) when missing and reads it. */
  static async open(client: BrookClient, options: TopicSchemaRegistryOptions = {}): Promise<TopicSchemaRegistry> {
    const topic = options.topic ?? DEFAULT_SCHEMAS_TOPIC
    const admin = client.admin()
    try {
      await ensureSchemasTopic(admin, topic)
    } finally {
      await admin.close()
    }
    const consumer = client.consumer({ clientId: `brook-schema-registry-reader`, enableAutoCommit: false })
    const producer = client.producer({ acks: 'all', lingerMs: 0, clientId: 'brook-schema-registry-writer' })
    const registry = new TopicSchemaRegistry(consumer, producer, topic, options.maxWriteAttempts ?? 10, options.log ?? ((l) => process.stderr.write(`${l}\n`)))
    consumer.assign([registry.tp])
    await consumer.seekToBeginning([registry.tp])
    await registry.catchUp()
    return registry
  }

  /** Records of the topic the registry read past (damaged, or claims voided by the log's order). */
  get skippedRecords(): ReadonlyArray<{ offset: number; reason: string }> {
    return this.state.skipped
  }

  /** Answered from what was read, without reading on: for serdes, which cannot wait. Undefined when unknown. */
  cachedSchemaById(id: number): IdEntry | undefined {
    return this.state.schemaById(id)
  }

  /** Reads the topic to its current end. */
  sync(): Promise<void> {
    return this.serialized(() => this.catchUp())
  }

  async register(subject: string, input: SchemaInput): Promise<number> {
    validSubject(subject)
    const { schemaType, parsed } = parseInput(input)
    return this.serialized(async () => {
      for (let attempt = 1; ; attempt++) {
        await this.catchUp()
        // The same schema under the subject already: its id (registering is idempotent).
        const known = this.state.idOf(schemaType, parsed.canonical)
        const live = this.state.subjectVersions(subject)
        if (known !== undefined && live.some((e) => e.id === known)) return known
        const problems = this.compatibilityProblems(subject, parsed, this.levelOf(subject), live)
        if (problems.length > 0) {
          throw new SchemaRegistryException('INCOMPATIBLE_SCHEMA', `Schema being registered is incompatible with an earlier schema for subject "${subject}": ${problems.join('; ')}`, { field: 'schema' })
        }
        const id = known ?? this.state.maxId + 1
        const version = this.state.highestVersion(subject) + 1
        await this.write(schemaKey(subject, version), schemaValue({ subject, version, id, schema: input.schema, schemaType, deleted: false }))
        await this.catchUp()
        // Won when the version holds this id and the id this schema: another registry's claim
        // of the same version and id for another schema may have come first.
        const got = this.state.version(subject, version)
        if (got !== undefined && got.id === id && this.state.idOf(schemaType, parsed.canonical) === id) {
          this.parsed.set(id, parsed)
          return id
        }
        if (attempt >= this.maxAttempts) {
          throw new SchemaRegistryException('STORE_ERROR', `Could not register under '${subject}' after ${attempt} attempts: other registries kept winning the id or version`, { field: 'subject' })
        }
      }
    })
  }

  async lookup(subject: string, input: SchemaInput, options: { deleted?: boolean } = {}): Promise<RegisteredSchema> {
    const { schemaType, parsed } = parseInput(input)
    const find = (): RegisteredSchema | SchemaRegistryException => {
      const versions = this.state.subjectVersions(subject, options.deleted === true)
      if (versions.length === 0) return subjectNotFound(subject)
      const id = this.state.idOf(schemaType, parsed.canonical)
      const e = id === undefined ? undefined : versions.find((v) => v.id === id)
      return e === undefined ? schemaNotFound(`for subject '${subject}'`) : this.registered(e)
    }
    return this.answer(find)
  }

  async getSchemaById(id: number): Promise<{ schema: string; schemaType: SchemaType }> {
    return this.answer(() => {
      const e = this.state.schemaById(id)
      return e === undefined ? schemaNotFound(`${id}`) : { schema: e.schema, schemaType: e.schemaType }
    })
  }

  async getVersion(subject: string, version: number | 'latest', options: { deleted?: boolean } = {}): Promise<RegisteredSchema> {
    const v = validVersion(version)
    // The latest can change without a miss (another registry added a version): read to the end first.
    if (v === 'latest') await this.sync()
    return this.answer(() => {
      const versions = this.state.subjectVersions(subject, options.deleted === true)
      if (versions.length === 0) return subjectNotFound(subject)
      const e = v === 'latest' ? versions[versions.length - 1] : versions.find((x) => x.version === v)
      return e === undefined ? versionNotFound(subject, v) : this.registered(e)
    })
  }

  async getSubjects(options: { deleted?: boolean } = {}): Promise<string[]> {
    await this.sync()
    return this.state.subjectNames(options.deleted === true)
  }

  async getVersions(subject: string, options: { deleted?: boolean } = {}): Promise<number[]> {
    // A list is whole only after reading to the end (another registry may have added to it).
    await this.sync()
    return this.answer(() => {
      const versions = this.state.subjectVersions(subject, options.deleted === true)
      return versions.length === 0 ? subjectNotFound(subject) : versions.map((e) => e.version)
    })
  }

  async getSubjectVersionsById(id: number): Promise<Array<{ subject: string; version: number }>> {
    return this.answer(() =>
      this.state.schemaById(id) === undefined ? schemaNotFound(`${id}`) : this.state.usesOf(id).map((e) => ({ subject: e.subject, version: e.version })),
    )
  }

  async deleteSubject(subject: string, options: { permanent?: boolean } = {}): Promise<number[]> {
    return this.serialized(async () => {
      await this.catchUp()
      const all = this.state.subjectVersions(subject, true)
      if (all.length === 0) throw subjectNotFound(subject)
      const live = all.filter((e) => !e.deleted)
      if (options.permanent === true) {
        if (live.length > 0) throw new SchemaRegistryException('SUBJECT_NOT_SOFT_DELETED', `Subject '${subject}' was not deleted first before being permanently deleted`, { field: 'subject' })
        for (const e of all) await this.write(schemaKey(subject, e.version), null)
        await this.write(configKey(subject), null)
        await this.catchUp()
        return all.map((e) => e.version)
      }
      if (live.length === 0) throw new SchemaRegistryException('SUBJECT_SOFT_DELETED', `Subject '${subject}' was soft deleted. Set permanent=true to delete permanently`, { field: 'subject' })
      for (const e of live) await this.writeVersion(e, true)
      await this.catchUp()
      return live.map((e) => e.version)
    })
  }

  async deleteVersion(subject: string, version: number | 'latest', options: { permanent?: boolean } = {}): Promise<number> {
    const v = validVersion(version)
    return this.serialized(async () => {
      await this.catchUp()
      const all = this.state.subjectVersions(subject, true)
      if (all.length === 0) throw subjectNotFound(subject)
      const live = all.filter((e) => !e.deleted)
      const e = v === 'latest' ? live[live.length - 1] : all.find((x) => x.version === v)
      if (e === undefined) throw versionNotFound(subject, v)
      if (options.permanent === true) {
        if (!e.deleted) throw new SchemaRegistryException('SCHEMA_VERSION_NOT_SOFT_DELETED', `Subject '${subject}' Version ${e.version} was not deleted first before being permanently deleted`, { field: 'version' })
        await this.write(schemaKey(subject, e.version), null)
      } else {
        if (e.deleted) throw new SchemaRegistryException('SCHEMA_VERSION_SOFT_DELETED', `Subject '${subject}' Version ${e.version} was soft deleted. Set permanent=true to delete permanently`, { field: 'version' })
        await this.writeVersion(e, true)
      }
      await this.catchUp()
      return e.version
    })
  }

  async testCompatibility(subject: string, input: SchemaInput, version?: number | 'latest'): Promise<{ isCompatible: boolean; messages: string[] }> {
    const { parsed } = parseInput(input)
    const v = version === undefined ? undefined : validVersion(version)
    await this.sync()
    const live = this.state.subjectVersions(subject)
    let problems: string[]
    if (v === undefined) {
      problems = this.compatibilityProblems(subject, parsed, this.levelOf(subject), live)
    } else {
      if (live.length === 0) throw subjectNotFound(subject)
      const e = v === 'latest' ? live[live.length - 1] : live.find((x) => x.version === v)
      if (e === undefined) throw versionNotFound(subject, v)
      // Against one version, the level's direction without its transitivity (as Confluent does).
      problems = this.compatibilityProblems(subject, parsed, this.levelOf(subject).replace('_TRANSITIVE', '') as CompatibilityLevel, [e])
    }
    return { isCompatible: problems.length === 0, messages: problems }
  }

  async getCompatibility(subject?: string, options: { defaultToGlobal?: boolean } = {}): Promise<CompatibilityLevel> {
    await this.sync()
    if (subject === undefined) return this.state.globalConfig() ?? DEFAULT_COMPATIBILITY
    const own = this.state.subjectConfig(subject)
    if (own !== undefined) return own
    if (options.defaultToGlobal === true) return this.state.globalConfig() ?? DEFAULT_COMPATIBILITY
    throw new SchemaRegistryException('SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED', `Subject '${subject}' does not have subject-level compatibility configured`, { field: 'subject' })
  }

  async setCompatibility(level: CompatibilityLevel, subject?: string): Promise<CompatibilityLevel> {
    if (!COMPATIBILITY_LEVELS.includes(level)) {
      throw new SchemaRegistryException('INVALID_COMPATIBILITY_LEVEL', `Invalid compatibility level '${String(level)}'. Valid values are ${COMPATIBILITY_LEVELS.join(', ')}`, { field: 'compatibility' })
    }
    if (subject !== undefined) validSubject(subject)
    return this.serialized(async () => {
      await this.write(configKey(subject ?? null), configValue(level))
      await this.catchUp()
      return level
    })
  }

  async deleteCompatibility(subject: string): Promise<CompatibilityLevel> {
    return this.serialized(async () => {
      await this.catchUp()
      const own = this.state.subjectConfig(subject)
      if (own === undefined) throw subjectNotFound(subject)
      await this.write(configKey(subject), null)
      await this.catchUp()
      return own
    })
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.queue.catch(() => {})
    await this.producer.close()
    await this.consumer.close()
  }

  // --- the topic ---

  /** Reads what the state answers; on a miss, reads the topic to its end and asks again. */
  private async answer<T>(find: () => T | SchemaRegistryException): Promise<T> {
    const first = find()
    if (!(first instanceof SchemaRegistryException)) return first
    await this.sync()
    const second = find()
    if (second instanceof SchemaRegistryException) throw second
    return second
  }

  private serialized<T>(op: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new SchemaRegistryException('STORE_ERROR', 'The schema registry is closed'))
    const run = this.queue.then(op, op)
    this.queue = run.catch(() => {})
    return run
  }

  private async catchUp(): Promise<void> {
    const [end] = await this.consumer.endOffsets([this.tp])
    const endOffset = end?.offset ?? 0
    while ((await this.consumer.position(this.tp)) < endOffset) {
      for (const r of await this.consumer.poll(200)) this.state.apply(r.offset, r.key, r.value)
    }
    const skipped = this.state.skipped
    for (; this.reported < skipped.length; this.reported++) {
      const s = skipped[this.reported]!
      this.log(`schema registry: ${this.topic} offset ${s.offset} skipped: ${s.reason}`)
    }
  }

  private async write(key: string, value: string | null): Promise<void> {
    try {
      await this.producer.send({ topic: this.topic, partition: 0, key, value })
    } catch (err) {
      throw new SchemaRegistryException('STORE_ERROR', `Error while writing to ${this.topic}: ${(err as Error).message}`, { cause: err })
    }
  }

  private async writeVersion(e: VersionEntry, deleted: boolean): Promise<void> {
    const s = this.state.schemaById(e.id)!
    await this.write(schemaKey(e.subject, e.version), schemaValue({ subject: e.subject, version: e.version, id: e.id, schema: s.schema, schemaType: s.schemaType, deleted }))
  }

  // --- compatibility ---

  private levelOf(subject: string): CompatibilityLevel {
    return this.state.subjectConfig(subject) ?? this.state.globalConfig() ?? DEFAULT_COMPATIBILITY
  }

  private parsedById(id: number): ParsedSchema {
    let p = this.parsed.get(id)
    if (p === undefined) this.parsed.set(id, (p = parseAvroSchema(this.state.schemaById(id)!.schema)))
    return p
  }

  /** What stops `parsed` from joining the subject's live versions at `level`; empty when nothing does. */
  private compatibilityProblems(subject: string, parsed: ParsedSchema, level: CompatibilityLevel, live: VersionEntry[]): string[] {
    if (level === 'NONE' || live.length === 0) return []
    const against = level.endsWith('_TRANSITIVE') ? live : live.slice(-1)
    const backward = level.startsWith('BACKWARD') || level.startsWith('FULL')
    const forward = level.startsWith('FORWARD') || level.startsWith('FULL')
    const problems: string[] = []
    for (const e of against) {
      const old = this.parsedById(e.id).type
      if (backward) {
        const why = readError(parsed.type, old)
        if (why !== null) problems.push(`the new schema cannot read data written with ${subject} version ${e.version} (${why})`)
      }
      if (forward) {
        const why = readError(old, parsed.type)
        if (why !== null) problems.push(`${subject} version ${e.version} cannot read data written with the new schema (${why})`)
      }
    }
    return problems
  }

  private registered(e: VersionEntry): RegisteredSchema {
    const s = this.state.schemaById(e.id)!
    return { subject: e.subject, version: e.version, id: e.id, schema: s.schema, schemaType: s.schemaType }
  }
}

async function ensureSchemasTopic(admin: Admin, topic: string): Promise<void> {
  const existing = new Set(await admin.listTopics({ includeInternal: true }))
  if (existing.has(topic)) {
    const [d] = await admin.describeTopics([topic])
    if (d !== undefined && d.partitions.length !== 1) {
      throw new SchemaRegistryException('STORE_ERROR', `The schemas topic '${topic}' has ${d.partitions.length} partitions; it must have exactly 1`, { field: 'topic' })
    }
    return
  }
  try {
    await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } }])
  } catch (err) {
    if (!(err instanceof BrookError && err.code === 'TOPIC_ALREADY_EXISTS')) throw err
  }
}

function parseInput(input: SchemaInput): { schemaType: SchemaType; parsed: ParsedSchema } {
  const schemaType = input.schemaType ?? 'AVRO'
  if (schemaType !== 'AVRO') throw unsupportedType(schemaType)
  if (input.references !== undefined && input.references.length > 0) {
    throw new SchemaRegistryException('INVALID_SCHEMA', 'Invalid schema: schema references are not supported by Brook\'s registry (inline the referenced types)', { field: 'references' })
  }
  if (typeof input.schema !== 'string') throw new SchemaRegistryException('INVALID_SCHEMA', 'Invalid schema: the schema must be a string of JSON', { field: 'schema' })
  return { schemaType, parsed: parseAvroSchema(input.schema) }
}

function validSubject(subject: string): void {
  if (typeof subject !== 'string' || subject.length === 0 || [...subject].some((c) => c.charCodeAt(0) < 0x20)) {
    throw new SchemaRegistryException('BAD_REQUEST', `Invalid subject '${String(subject)}': a non-empty name without control characters`, { field: 'subject' })
  }
}

function validVersion(version: number | 'latest'): number | 'latest' {
  if (version === 'latest' || (Number.isInteger(version) && version > 0 && version <= 0x7fffffff)) return version
  if (version === -1) return 'latest'
  throw new SchemaRegistryException('INVALID_VERSION', `The specified version '${String(version)}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`, { field: 'version' })
}
