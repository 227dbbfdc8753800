// What the _schemas topic says, rebuilt by applying its records in log order. No I/O: the
// registry feeds it records, tests feed it bytes.
//
// Several registries may write the topic at once (two processes on one broker, each with its
// own TopicSchemaRegistry), so a record is only a claim; the log's order decides between claims,
// the same way for every reader. A SCHEMA record is void when it would give an id to a second
// schema, a second id to one schema, or a subject's version to a second schema. A writer reads
// past its own record to learn whether its claim stood, and tries again when it did not.
import type { CompatibilityLevel, SchemaType } from '../types.js'
import { decodeSchemasRecord, type SchemaValue } from './records.js'

/** The identity of a schema: its type and normalized text. */
export type Canonicalize = (schemaType: SchemaType, schema: string) => string

export interface VersionEntry {
  readonly subject: string
  readonly version: number
  readonly id: number
  readonly deleted: boolean
}

export interface IdEntry {
  readonly id: number
  readonly schema: string
  readonly schemaType: SchemaType
  readonly canonical: string
}

export interface Damage {
  readonly offset: number
  readonly reason: string
}

export class RegistryState {
  private readonly ids = new Map<number, IdEntry>()
  private readonly idByCanonical = new Map<string, number>()
  private readonly subjects = new Map<string, Map<number, VersionEntry>>()
  private readonly configs = new Map<string | null, CompatibilityLevel>()
  private highestId = 0
  /** Records the registry could not use (damaged, or claims the log's order voided), by offset: reported, never fatal. */
  readonly skipped: Damage[] = []

  constructor(private readonly canonicalize: Canonicalize) {}

  /** Applies the record at `offset`. */
  apply(offset: number, key: Buffer | null, value: Buffer | null): void {
    const r = decodeSchemasRecord(key, value)
    if (typeof r === 'string') return void this.skip(offset, r)
    switch (r.keytype) {
      case 'SCHEMA':
        if (r.value === null) this.versions(r.subject)?.delete(r.version)
        else this.applySchema(offset, r.value)
        return
      case 'CONFIG':
        if (r.value === null) this.configs.delete(r.subject)
        else this.configs.set(r.subject, r.value.compatibilityLevel)
        return
      case 'DELETE_SUBJECT': {
        if (r.value === null) return
        const upTo = r.value.version
        const versions = this.versions(r.subject)
        if (versions === undefined) return
        for (const [v, e] of versions) if (v <= upTo && !e.deleted) versions.set(v, { ...e, deleted: true })
        return
      }
      default:
        return
    }
  }

  private applySchema(offset: number, v: SchemaValue): void {
    let canonical: string
    try {
      canonical = this.canonicalize(v.schemaType, v.schema)
    } catch (err) {
      return void this.skip(offset, `schema of ${v.subject} version ${v.version} does not parse: ${(err as Error).message}`)
    }
    const identity = `${v.schemaType}\n${canonical}`
    const held = this.ids.get(v.id)
    if (held !== undefined && `${held.schemaType}\n${held.canonical}` !== identity) {
      return void this.skip(offset, `id ${v.id} already belongs to another schema (claim of ${v.subject} version ${v.version} void)`)
    }
    const idOfSchema = this.idByCanonical.get(identity)
    if (idOfSchema !== undefined && idOfSchema !== v.id) {
      return void this.skip(offset, `schema already has id ${idOfSchema}, not ${v.id} (claim of ${v.subject} version ${v.version} void)`)
    }
    let versions = this.subjects.get(v.subject)
    const existing = versions?.get(v.version)
    if (existing !== undefined && existing.id !== v.id) {
      return void this.skip(offset, `${v.subject} version ${v.version} already holds id ${existing.id} (claim of id ${v.id} void)`)
    }
    if (held === undefined) {
      this.ids.set(v.id, { id: v.id, schema: v.schema, schemaType: v.schemaType, canonical })
      this.idByCanonical.set(identity, v.id)
      if (v.id > this.highestId) this.highestId = v.id
    }
    if (versions === undefined) this.subjects.set(v.subject, (versions = new Map()))
    versions.set(v.version, { subject: v.subject, version: v.version, id: v.id, deleted: v.deleted })
  }

  private skip(offset: number, reason: string): void {
    this.skipped.push({ offset, reason })
  }

  private versions(subject: string): Map<number, VersionEntry> | undefined {
    return this.subjects.get(subject)
  }

  /** The highest id ever given; a new schema gets the next. */
  get maxId(): number {
    return this.highestId
  }

  schemaById(id: number): IdEntry | undefined {
    return this.ids.get(id)
  }

  idOf(schemaType: SchemaType, canonical: string): number | undefined {
    return this.idByCanonical.get(`${schemaType}\n${canonical}`)
  }

  /** The subject's versions in order, soft-deleted ones only when asked. */
  subjectVersions(subject: string, deleted = false): VersionEntry[] {
    const versions = this.subjects.get(subject)
    if (versions === undefined) return []
    return [...versions.values()].filter((e) => deleted || !e.deleted).sort((a, b) => a.version - b.version)
  }

  /** The highest version the subject ever had, deleted ones included (a new version comes after it). */
  highestVersion(subject: string): number {
    let max = 0
    for (const v of this.subjects.get(subject)?.keys() ?? []) if (v > max) max = v
    return max
  }

  version(subject: string, version: number): VersionEntry | undefined {
    return this.subjects.get(subject)?.get(version)
  }

  subjectNames(deleted = false): string[] {
    return [...this.subjects.keys()].filter((s) => this.subjectVersions(s, deleted).length > 0).sort()
  }

  usesOf(id: number): VersionEntry[] {
    const out: VersionEntry[] = []
    for (const versions of this.subjects.values()) for (const e of versions.values()) if (e.id === id && !e.deleted) out.push(e)
    return out.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : a.version - b.version))
  }

  /** The subject's own level, or undefined. */
  subjectConfig(subject: string): CompatibilityLevel | undefined {
    return this.configs.get(subject)
  }

  globalConfig(): CompatibilityLevel | undefined {
    return this.configs.get(null)
  }
}
