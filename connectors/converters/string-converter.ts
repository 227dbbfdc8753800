// Kafka's StringConverter: values as UTF-8 text (structs as their JSON text), no schema.
import type { Schema } from '../api/schema.js'
import type { Converter, SchemaAndValue } from './converter.js'

export class StringConverter implements Converter {
  configure(_props: Record<string, string>, _isKey: boolean): void {}
  fromConnectData(_topic: string, _schema: Schema | null, value: unknown): Buffer | null {
    if (value === null || value === undefined) return null
    if (Buffer.isBuffer(value)) return value
    return Buffer.from(typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value))
  }
  toConnectData(_topic: string, bytes: Buffer | null): SchemaAndValue {
    return { schema: { type: 'string', optional: true }, value: bytes === null ? null : bytes.toString('utf8') }
  }
}
