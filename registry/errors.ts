// The registry layer's one error type. Each carries Confluent Schema Registry's error code
// (40401 subject not found, 409 incompatible, ...) and the HTTP status it is answered with,
// so the REST API and the in-process registry fail the same way, and the field it is about.

/** Confluent Schema Registry's error codes, with the HTTP status each is answered with. */
export const RegistryErrorCodes = {
  SUBJECT_NOT_FOUND: { code: 40401, status: 404 },
  VERSION_NOT_FOUND: { code: 40402, status: 404 },
  SCHEMA_NOT_FOUND: { code: 40403, status: 404 },
  SUBJECT_SOFT_DELETED: { code: 40404, status: 404 },
  SUBJECT_NOT_SOFT_DELETED: { code: 40405, status: 404 },
  SCHEMA_VERSION_SOFT_DELETED: { code: 40406, status: 404 },
  SCHEMA_VERSION_NOT_SOFT_DELETED: { code: 40407, status: 404 },
  SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED: { code: 40408, status: 404 },
  INCOMPATIBLE_SCHEMA: { code: 409, status: 409 },
  INVALID_SCHEMA: { code: 42201, status: 422 },
  INVALID_VERSION: { code: 42202, status: 422 },
  INVALID_COMPATIBILITY_LEVEL: { code: 42203, status: 422 },
  REFERENCE_EXISTS: { code: 42206, status: 422 },
  STORE_ERROR: { code: 50001, status: 500 },
  OPERATION_TIMEOUT: { code: 50002, status: 500 },
  /** Not Confluent's: a request the REST API cannot read (bad JSON, unknown path). */
  BAD_REQUEST: { code: 400, status: 400 },
  NOT_FOUND: { code: 404, status: 404 },
} as const

export type RegistryErrorName = keyof typeof RegistryErrorCodes

export class SchemaRegistryException extends Error {
  override readonly name = 'SchemaRegistryException'
  readonly code: RegistryErrorName
  /** Confluent's numeric error code (error_code in the REST API's answer). */
  readonly errorCode: number
  readonly httpStatus: number
  /** What the error is about: a subject, a version, a schema id, a config key. */
  readonly field: string | undefined
  /**
   * A serde's "not yet": what it needs is being fetched and the call may succeed once this settles.
   * Kafka Streams' runtime holds the record until then (see streams' Deserializer).
   */
  readonly retryAfter: Promise<unknown> | undefined

  constructor(code: RegistryErrorName, message: string, options: { field?: string; cause?: unknown; retryAfter?: Promise<unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.errorCode = RegistryErrorCodes[code].code
    this.httpStatus = RegistryErrorCodes[code].status
    this.field = options.field
    this.retryAfter = options.retryAfter
  }
}

export const subjectNotFound = (subject: string): SchemaRegistryException =>
  new SchemaRegistryException('SUBJECT_NOT_FOUND', `Subject '${subject}' not found.`, { field: 'subject' })
export const versionNotFound = (subject: string, version: number | string): SchemaRegistryException =>
  new SchemaRegistryException('VERSION_NOT_FOUND', `Version ${version} not found for subject '${subject}'.`, { field: 'version' })
export const schemaNotFound = (what: string): SchemaRegistryException => new SchemaRegistryException('SCHEMA_NOT_FOUND', `Schema ${what} not found.`, { field: 'schema' })
