// Confluent's wire format for registry-framed records: a magic byte 0, the schema id as a
// big-endian int32, then the encoded data. Shared by every registry-aware serde.
import { SchemaRegistryException } from '../errors.js'

export const MAGIC_BYTE = 0
export const HEADER_SIZE = 5

/** The schema id of a framed record; an error naming the topic when the bytes are not framed. */
export function readSchemaId(topic: string, bytes: Buffer): number {
  if (bytes.length < HEADER_SIZE) {
    throw new SchemaRegistryException('BAD_REQUEST', `Record of topic '${topic}' is ${bytes.length} bytes: too short for the schema registry's 5-byte header`, { field: 'magic' })
  }
  if (bytes[0] !== MAGIC_BYTE) {
    throw new SchemaRegistryException('BAD_REQUEST', `Record of topic '${topic}' starts with byte ${bytes[0]}, not the schema registry's magic byte 0`, { field: 'magic' })
  }
  return bytes.readInt32BE(1)
}

/** Frames `body` with the schema id: one allocation, header and body together. */
export function frame(id: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE + body.length)
  out[0] = MAGIC_BYTE
  out.writeInt32BE(id, 1)
  body.copy(out, HEADER_SIZE)
  return out
}
