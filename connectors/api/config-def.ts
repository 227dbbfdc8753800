// ConfigDef as in Kafka: each key has a type, a default (or none: required), an importance,
// docs and an optional validator. parse() checks every value before anything starts and
// throws a ConfigException naming the key.
import { ConfigException } from '../errors.js'

export type ConfigType = 'BOOLEAN' | 'INT' | 'LONG' | 'DOUBLE' | 'STRING' | 'LIST' | 'PASSWORD' | 'CLASS'
export type Importance = 'HIGH' | 'MEDIUM' | 'LOW'

/** Marker for keys that have no default and must be set. */
export const NO_DEFAULT: unique symbol = Symbol('NO_DEFAULT')

export type Validator = (key: string, value: unknown) => void

export interface ConfigKey {
  name: string
  type: ConfigType
  defaultValue: unknown
  importance: Importance
  doc: string
  validator?: Validator
  group?: string
}

export type ConfigValue = boolean | number | string | string[] | null

export class ConfigDef {
  private readonly keys = new Map<string, ConfigKey>()

  define(name: string, type: ConfigType, defaultValue: unknown, importance: Importance, doc: string, validator?: Validator): this {
    const key: ConfigKey = { name, type, defaultValue, importance, doc }
    if (validator !== undefined) key.validator = validator
    this.keys.set(name, key)
    return this
  }

  /** Adds every key of another definition (later definitions win). */
  merge(other: ConfigDef): this {
    for (const k of other.configKeys()) this.keys.set(k.name, k)
    return this
  }

  configKeys(): ConfigKey[] {
    return [...this.keys.values()]
  }

  has(name: string): boolean {
    return this.keys.has(name)
  }

  /** Parses and validates; keys not in the definition are left to the caller. */
  parse(props: Record<string, string>, connector?: string): ParsedConfig {
    const values = new Map<string, ConfigValue>()
    for (const key of this.keys.values()) {
      const raw = props[key.name]
      let value: ConfigValue
      if (raw === undefined) {
        if (key.defaultValue === NO_DEFAULT) {
          throw new ConfigException(key.name, `Missing required configuration "${key.name}" which has no default value. (${key.doc})`, optConnector(connector))
        }
        value = key.defaultValue === null || key.defaultValue === undefined ? null : parseValue(key, key.defaultValue, connector)
      } else {
        value = parseValue(key, raw, connector)
      }
      if (key.validator !== undefined && value !== null) {
        try {
          key.validator(key.name, value)
        } catch (err) {
          if (err instanceof ConfigException && connector !== undefined && err.connector === undefined) {
            throw new ConfigException(key.name, err.message.replace(/^Invalid value for configuration '[^']*': /, ''), { connector })
          }
          throw err
        }
      }
      values.set(key.name, value)
    }
    return new ParsedConfig(values, props)
  }
}

function optConnector(connector: string | undefined): { connector?: string } {
  return connector === undefined ? {} : { connector }
}

function parseValue(key: ConfigKey, raw: unknown, connector: string | undefined): ConfigValue {
  const bad = (what: string): never => {
    throw new ConfigException(key.name, `${JSON.stringify(raw)} is not ${what}`, optConnector(connector))
  }
  const text = typeof raw === 'string' ? raw.trim() : raw
  switch (key.type) {
    case 'BOOLEAN':
      if (typeof text === 'boolean') return text
      if (typeof text === 'string' && /^(true|false)$/i.test(text)) return text.toLowerCase() === 'true'
      return bad('a boolean (true or false)')
    case 'INT':
    case 'LONG': {
      const n = typeof text === 'number' ? text : typeof text === 'string' && /^-?\d+$/.test(text) ? Number(text) : NaN
      if (!Number.isSafeInteger(n)) return bad(key.type === 'INT' ? 'an integer' : 'a long')
      if (key.type === 'INT' && (n > 2147483647 || n < -2147483648)) return bad('a 32-bit integer')
      return n
    }
    case 'DOUBLE': {
      const n = typeof text === 'number' ? text : typeof text === 'string' && text !== '' ? Number(text) : NaN
      if (!Number.isFinite(n)) return bad('a number')
      return n
    }
    case 'LIST':
      if (Array.isArray(text)) return text.map(String)
      if (typeof text !== 'string') return bad('a comma-separated list')
      return text === '' ? [] : text.split(',').map((s) => s.trim()).filter((s) => s !== '')
    case 'STRING':
    case 'PASSWORD':
    case 'CLASS':
      if (typeof text !== 'string') return bad('a string')
      return text
  }
}

export class ParsedConfig {
  constructor(
    private readonly values: Map<string, ConfigValue>,
    /** The raw properties, for prefixed sub-configs (transforms.x.*, value.converter.*). */
    readonly originals: Record<string, string>,
  ) {}
  getString(key: string): string {
    const v = this.get(key)
    if (typeof v !== 'string') throw new ConfigException(key, 'is not set')
    return v
  }
  getOptionalString(key: string): string | null {
    const v = this.get(key)
    return typeof v === 'string' && v !== '' ? v : null
  }
  getInt(key: string): number {
    const v = this.get(key)
    if (typeof v !== 'number') throw new ConfigException(key, 'is not set')
    return v
  }
  getBoolean(key: string): boolean {
    return this.get(key) === true
  }
  getList(key: string): string[] {
    const v = this.get(key)
    return Array.isArray(v) ? v : []
  }
  private get(key: string): ConfigValue {
    if (!this.values.has(key)) throw new ConfigException(key, 'is not a defined configuration')
    return this.values.get(key)!
  }
  /** Raw properties under a prefix, with the prefix removed. */
  originalsWithPrefix(prefix: string): Record<string, string> {
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries(this.originals)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v
    return out
  }
}

export const Validators = {
  atLeast(min: number): Validator {
    return (key, value) => {
      if (typeof value === 'number' && value < min) throw new ConfigException(key, `${value} must be at least ${min}`)
    }
  },
  oneOf(...allowed: string[]): Validator {
    return (key, value) => {
      if (typeof value === 'string' && !allowed.includes(value)) {
        throw new ConfigException(key, `'${value}' must be one of ${allowed.join(', ')}`)
      }
    }
  },
  nonEmpty(): Validator {
    return (key, value) => {
      if (value === '' || (Array.isArray(value) && value.length === 0)) throw new ConfigException(key, 'must not be empty')
    }
  },
} as const
