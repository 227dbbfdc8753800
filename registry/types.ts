// The schema registry's client interface, in Confluent Schema Registry's terms (subject,
// version, id, compatibility level). Two implementations: TopicSchemaRegistry keeps the schemas
// in a compacted topic (_schemas) through any BrookClient, HttpSchemaRegistryClient talks to a
// registry's REST API (Brook's `brook registry serve`, or Confluent's).

/** Schema formats: Brook's registry stores AVRO; the others are named so that they can be refused by name. */
export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF'

/** Confluent's compatibility levels; the default is BACKWARD. */
export const COMPATIBILITY_LEVELS = ['NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE'] as const
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number]
export const DEFAULT_COMPATIBILITY: CompatibilityLevel = 'BACKWARD'

/** A schema as a client hands it over: its text, and its type when not AVRO. */
export interface SchemaInput {
  schema: string
  schemaType?: SchemaType
  /** Schema references (Confluent 5.5+): not supported by Brook's registry, refused when not empty. */
  references?: ReadonlyArray<{ name: string; subject: string; version: number }>
}

/** A schema registered under a subject: what GET /subjects/{s}/versions/{v} answers. */
export interface RegisteredSchema {
  subject: string
  version: number
  id: number
  schema: string
  schemaType: SchemaType
}

export interface SchemaRegistryClient {
  /** Registers the schema under the subject (checked against the subject's compatibility level); the schema's id, the same for the same schema everywhere. */
  register(subject: string, schema: SchemaInput): Promise<number>
  /** The version of the subject holding this schema. */
  lookup(subject: string, schema: SchemaInput, options?: { deleted?: boolean }): Promise<RegisteredSchema>
  getSchemaById(id: number): Promise<{ schema: string; schemaType: SchemaType }>
  getVersion(subject: string, version: number | 'latest', options?: { deleted?: boolean }): Promise<RegisteredSchema>
  getSubjects(options?: { deleted?: boolean }): Promise<string[]>
  getVersions(subject: string, options?: { deleted?: boolean }): Promise<number[]>
  /** The subject-version pairs that use the schema with this id. */
  getSubjectVersionsById(id: number): Promise<Array<{ subject: string; version: number }>>
  /** Soft-deletes every version of the subject (permanent: removes the soft-deleted ones); the versions deleted. */
  deleteSubject(subject: string, options?: { permanent?: boolean }): Promise<number[]>
  deleteVersion(subject: string, version: number | 'latest', options?: { permanent?: boolean }): Promise<number>
  /** Whether the schema could be registered under the subject: against the version given, or all the level asks for. */
  testCompatibility(subject: string, schema: SchemaInput, version?: number | 'latest'): Promise<{ isCompatible: boolean; messages: string[] }>
  /** The level for the subject (its own, else the global one), or the global one. */
  getCompatibility(subject?: string, options?: { defaultToGlobal?: boolean }): Promise<CompatibilityLevel>
  setCompatibility(level: CompatibilityLevel, subject?: string): Promise<CompatibilityLevel>
  deleteCompatibility(subject: string): Promise<CompatibilityLevel>
  close(): Promise<void>
  /** What the registry knows of an id now, without asking anyone (an in-process registry); serdes, which cannot wait, use it. */
  cachedSchemaById?(id: number): { schema: string; schemaType: SchemaType } | undefined
}
