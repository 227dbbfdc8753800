// Connect value → bind parameter, shared by the dialects: logical types to the text the
// databases parse, decimals as their exact text.
import { ConnectDate, ConnectTime, ConnectTimestamp, Decimal, DebeziumJson, type Schema } from '../api/schema.js'
import { daysToDateText, msToTimeText, msToTimestampText } from './temporal.js'

export function logicalToText(schema: Schema | null, value: unknown): unknown {
  if (value === null || value === undefined) return null
  if (schema === null) return typeof value === 'object' && !Buffer.isBuffer(value) ? JSON.stringify(value) : value
  switch (schema.name) {
    case ConnectTimestamp.LOGICAL_NAME:
      return typeof value === 'number' ? msToTimestampText(value) : value
    case ConnectDate.LOGICAL_NAME:
      return typeof value === 'number' ? daysToDateText(value) : value
    case ConnectTime.LOGICAL_NAME:
      return typeof value === 'number' ? msToTimeText(value) : value
    case Decimal.LOGICAL_NAME:
      return String(value)
    case DebeziumJson.LOGICAL_NAME:
      return typeof value === 'string' ? value : JSON.stringify(value)
  }
  if (schema.type === 'struct' || schema.type === 'array' || schema.type === 'map') return JSON.stringify(value)
  return value
}
