// Errors raised by Brook Connect. One type for the layer (ConnectException) carrying the
// connector, the config key or table it is about; ConfigException for invalid configuration.
import { BrookError } from '../core/errors.js'

export interface ConnectErrorOptions {
  cause?: unknown
  /** The connector the error is about. */
  connector?: string
  /** The config key, table or field the error is about. */
  field?: string
}

export class ConnectException extends BrookError<'CONNECT_ERROR'> {
  readonly connector: string | undefined
  constructor(message: string, options: ConnectErrorOptions = {}) {
    const where = options.connector === undefined ? '' : `Connector '${options.connector}': `
    super('CONNECT_ERROR', `${where}${message}`, { cause: options.cause, field: options.field })
    this.name = 'ConnectException'
    this.connector = options.connector
  }
}

/** A config value that is missing, of the wrong type, out of range or unknown. Names the key. */
export class ConfigException extends ConnectException {
  readonly key: string
  constructor(key: string, message: string, options: { connector?: string; cause?: unknown } = {}) {
    super(`Invalid value for configuration '${key}': ${message}`, { ...options, field: key })
    this.name = 'ConfigException'
    this.key = key
  }
}

/** A failure worth retrying (database unreachable, connection reset): the worker backs off and retries. */
export class RetriableException extends ConnectException {
  constructor(message: string, options: ConnectErrorOptions = {}) {
    super(message, options)
    this.name = 'RetriableException'
  }
}

/** A transformation or converter that does not fit the record it was given. */
export class DataException extends ConnectException {
  constructor(message: string, options: ConnectErrorOptions = {}) {
    super(message, options)
    this.name = 'DataException'
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
