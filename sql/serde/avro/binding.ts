// What the AVRO format needs of the schema registry, held by a source: the subject it writes
// under, the id its rows are written with (found or registered by the engine before any row is
// written), and a synchronous view of the registry's schemas (a serde cannot wait).
import type { SchemaRegistryClient } from '../../../registry/types.js'
import { SchemaRegistryException } from '../../../registry/errors.js'
import { SqlError } from '../../errors.js'

export interface AvroBinding {
  readonly registry: SqlSchemaRegistry
  /** `<topic>-key` or `<topic>-value` (Confluent's TopicNameStrategy). */
  readonly subject: string
  /** The record name of the schema ksqlDB writes (VALUE_AVRO_SCHEMA_FULL_NAME); default KsqlDataSourceSchema. */
  readonly fullName: string | null
  /** The schema rows are written with when not the one made of the columns: the registered schema the columns were inferred from. */
  readonly writeSchema?: unknown
  /** The id rows are written with; null until the engine registered (or found) the source's schema. */
  writeId: number | null
}

/** The engine's registry: ids to schemas without waiting, registration and lookups as SqlErrors. */
export class SqlSchemaRegistry {
  private readonly byId = new Map<number, unknown>()
  private readonly fetching = new Map<number, Promise<void>>()

  constructor(readonly client: SchemaRegistryClient, private readonly log: (line: string) => void = () => {}) {}

  /** The schema (parsed JSON) of an id, from what is known now; undefined starts a read and the next call may know it. */
  schemaById(id: number): unknown | undefined {
    const known = this.byId.get(id)
    if (known !== undefined) return known
    const cached = this.client.cachedSchemaById?.(id)
    if (cached !== undefined) {
      const parsed: unknown = JSON.parse(cached.schema)
      this.byId.set(id, parsed)
      return parsed
    }
    this.fetch(id)
    return undefined
  }

  /** Fetches an id's schema (once at a time); settles when done, found or not. */
  fetch(id: number): Promise<void> {
    let p = this.fetching.get(id)
    if (p === undefined) {
      p = this.client
        .getSchemaById(id)
        .then((s) => void this.byId.set(id, JSON.parse(s.schema)))
        .catch((err: unknown) => this.log(`schema registry: schema ${id}: ${(err as Error).message}`))
        .finally(() => this.fetching.delete(id))
      this.fetching.set(id, p)
    }
    return p
  }

  /** Registers the schema under the subject (or finds it there); the id. Refusals are SqlErrors naming the subject. */
  async register(subject: string, schema: unknown, field: string): Promise<number> {
    try {
      const text = JSON.stringify(schema)
      const id = await this.client.register(subject, { schema: text })
      this.byId.set(id, schema)
      return id
    } catch (err) {
      throw registryError(err, subject, field)
    }
  }

  /** The latest schema of the subject (parsed) with its id, or null when the subject has none. */
  async latest(subject: string, field: string): Promise<{ id: number; schema: unknown } | null> {
    try {
      const r = await this.client.getVersion(subject, 'latest')
      const schema: unknown = JSON.parse(r.schema)
      this.byId.set(r.id, schema)
      return { id: r.id, schema }
    } catch (err) {
      if (err instanceof SchemaRegistryException && (err.code === 'SUBJECT_NOT_FOUND' || err.code === 'VERSION_NOT_FOUND')) return null
      throw registryError(err, subject, field)
    }
  }

  /** Removes the subject, soft then permanently (DROP ... DELETE TOPIC); one already gone is no error. */
  async deleteSubject(subject: string): Promise<void> {
    try {
      await this.client.deleteSubject(subject).catch((err: unknown) => {
        // already soft-deleted: only the permanent delete is left
        if (!(err instanceof SchemaRegistryException && err.code === 'SUBJECT_SOFT_DELETED')) throw err
      })
      await this.client.deleteSubject(subject, { permanent: true })
    } catch (err) {
      if (err instanceof SchemaRegistryException && err.code === 'SUBJECT_NOT_FOUND') return
      throw registryError(err, subject, 'DELETE TOPIC')
    }
  }

  async byIdNow(id: number, field: string): Promise<unknown> {
    try {
      const s = await this.client.getSchemaById(id)
      const schema: unknown = JSON.parse(s.schema)
      this.byId.set(id, schema)
      return schema
    } catch (err) {
      throw registryError(err, `schema id ${id}`, field)
    }
  }
}

function registryError(err: unknown, what: string, field: string): SqlError {
  const why = err instanceof Error ? err.message : String(err)
  return new SqlError('SERDE_ERROR', `Schema registry refused ${what}: ${why}`, { field, cause: err })
}
