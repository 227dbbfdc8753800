// SchemaRegistryClient over a registry's REST API: Brook's (`brook registry serve`) or
// Confluent Schema Registry's, for applications whose schemas live beside an Apache Kafka
// cluster. Errors come back as SchemaRegistryException with the registry's error_code.
import { RegistryErrorCodes, SchemaRegistryException, type RegistryErrorName } from '../errors.js'
import type { CompatibilityLevel, RegisteredSchema, SchemaInput, SchemaRegistryClient, SchemaType } from '../types.js'

export interface HttpRegistryOptions {
  /** Per request, in milliseconds. Default 30000. */
  timeoutMs?: number
}

const byErrorCode = new Map<number, RegistryErrorName>(Object.entries(RegistryErrorCodes).map(([name, c]) => [c.code, name as RegistryErrorName]))

export class HttpSchemaRegistryClient implements SchemaRegistryClient {
  private readonly base: string
  constructor(url: string, private readonly options: HttpRegistryOptions = {}) {
    this.base = url.replace(/\/+$/, '')
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: { accept: 'application/vnd.schemaregistry.v1+json, application/json', ...(body === undefined ? {} : { 'content-type': 'application/vnd.schemaregistry.v1+json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      })
    } catch (err) {
      throw new SchemaRegistryException('STORE_ERROR', `Schema registry at ${this.base} unreachable: ${(err as Error).message}`, { cause: err })
    }
    const text = await res.text()
    let json: unknown
    try {
      json = text.length === 0 ? null : JSON.parse(text)
    } catch {
      throw new SchemaRegistryException('STORE_ERROR', `Schema registry answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`)
    }
    if (!res.ok) {
      const e = json as { error_code?: number; message?: string; field?: string } | null
      const name = byErrorCode.get(e?.error_code ?? res.status) ?? (res.status === 404 ? 'NOT_FOUND' : res.status >= 500 ? 'STORE_ERROR' : 'BAD_REQUEST')
      throw new SchemaRegistryException(name, e?.message ?? `HTTP ${res.status}`, typeof e?.field === 'string' ? { field: e.field } : {})
    }
    return json as T
  }

  private static body(s: SchemaInput): Record<string, unknown> {
    return { schema: s.schema, ...(s.schemaType !== undefined && s.schemaType !== 'AVRO' ? { schemaType: s.schemaType } : {}), ...(s.references !== undefined ? { references: s.references } : {}) }
  }

  private static registered(r: { subject: string; version: number; id: number; schema: string; schemaType?: SchemaType }): RegisteredSchema {
    return { subject: r.subject, version: r.version, id: r.id, schema: r.schema, schemaType: r.schemaType ?? 'AVRO' }
  }

  async register(subject: string, schema: SchemaInput): Promise<number> {
    return (await this.call<{ id: number }>('POST', `/subjects/${encodeURIComponent(subject)}/versions`, HttpSchemaRegistryClient.body(schema))).id
  }
  async lookup(subject: string, schema: SchemaInput, options: { deleted?: boolean } = {}): Promise<RegisteredSchema> {
    return HttpSchemaRegistryClient.registered(await this.call('POST', `/subjects/${encodeURIComponent(subject)}${options.deleted === true ? '?deleted=true' : ''}`, HttpSchemaRegistryClient.body(schema)))
  }
  async getSchemaById(id: number): Promise<{ schema: string; schemaType: SchemaType }> {
    const r = await this.call<{ schema: string; schemaType?: SchemaType }>('GET', `/schemas/ids/${id}`)
    return { schema: r.schema, schemaType: r.schemaType ?? 'AVRO' }
  }
  async getVersion(subject: string, version: number | 'latest', options: { deleted?: boolean } = {}): Promise<RegisteredSchema> {
    return HttpSchemaRegistryClient.registered(await this.call('GET', `/subjects/${encodeURIComponent(subject)}/versions/${version}${options.deleted === true ? '?deleted=true' : ''}`))
  }
  getSubjects(options: { deleted?: boolean } = {}): Promise<string[]> {
    return this.call('GET', `/subjects${options.deleted === true ? '?deleted=true' : ''}`)
  }
  getVersions(subject: string, options: { deleted?: boolean } = {}): Promise<number[]> {
    return this.call('GET', `/subjects/${encodeURIComponent(subject)}/versions${options.deleted === true ? '?deleted=true' : ''}`)
  }
  getSubjectVersionsById(id: number): Promise<Array<{ subject: string; version: number }>> {
    return this.call('GET', `/schemas/ids/${id}/versions`)
  }
  deleteSubject(subject: string, options: { permanent?: boolean } = {}): Promise<number[]> {
    return this.call('DELETE', `/subjects/${encodeURIComponent(subject)}${options.permanent === true ? '?permanent=true' : ''}`)
  }
  deleteVersion(subject: string, version: number | 'latest', options: { permanent?: boolean } = {}): Promise<number> {
    return this.call('DELETE', `/subjects/${encodeURIComponent(subject)}/versions/${version}${options.permanent === true ? '?permanent=true' : ''}`)
  }
  async testCompatibility(subject: string, schema: SchemaInput, version?: number | 'latest'): Promise<{ isCompatible: boolean; messages: string[] }> {
    const path = `/compatibility/subjects/${encodeURIComponent(subject)}/versions${version === undefined ? '' : `/${version}`}?verbose=true`
    const r = await this.call<{ is_compatible: boolean; messages?: string[] }>('POST', path, HttpSchemaRegistryClient.body(schema))
    return { isCompatible: r.is_compatible, messages: r.messages ?? [] }
  }
  async getCompatibility(subject?: string, options: { defaultToGlobal?: boolean } = {}): Promise<CompatibilityLevel> {
    const path = subject === undefined ? '/config' : `/config/${encodeURIComponent(subject)}${options.defaultToGlobal === true ? '?defaultToGlobal=true' : ''}`
    return (await this.call<{ compatibilityLevel: CompatibilityLevel }>('GET', path)).compatibilityLevel
  }
  async setCompatibility(level: CompatibilityLevel, subject?: string): Promise<CompatibilityLevel> {
    return (await this.call<{ compatibility: CompatibilityLevel }>('PUT', subject === undefined ? '/config' : `/config/${encodeURIComponent(subject)}`, { compatibility: level })).compatibility
  }
  async deleteCompatibility(subject: string): Promise<CompatibilityLevel> {
    return (await this.call<{ compatibilityLevel: CompatibilityLevel }>('DELETE', `/config/${encodeURIComponent(subject)}`)).compatibilityLevel
  }
  async close(): Promise<void> {}
}
