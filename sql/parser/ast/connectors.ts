// Connector statements (ksqlDB's): CREATE SOURCE|SINK CONNECTOR, SHOW|LIST [SOURCE|SINK] CONNECTORS,
// DESCRIBE CONNECTOR, DROP CONNECTOR. Config keys keep Kafka Connect's names and case.
import type { SourcePosition } from '../../errors.js'

export type ConnectorType = 'SOURCE' | 'SINK'

/** 'key' = 'value' in WITH (...): the key as written (case kept), the value as text. */
export interface ConnectorProperty {
  readonly key: string
  readonly value: string
  readonly pos: SourcePosition
}

export interface CreateConnector {
  readonly kind: 'CreateConnector'
  readonly connectorType: ConnectorType
  readonly ifNotExists: boolean
  readonly name: string
  readonly properties: readonly ConnectorProperty[]
  readonly pos: SourcePosition
}

export interface ListConnectors {
  readonly kind: 'ListConnectors'
  /** SHOW SOURCE CONNECTORS / SHOW SINK CONNECTORS; null lists all. */
  readonly connectorType: ConnectorType | null
  readonly pos: SourcePosition
}

export interface DescribeConnector {
  readonly kind: 'DescribeConnector'
  readonly name: string
  readonly pos: SourcePosition
}

export interface DropConnector {
  readonly kind: 'DropConnector'
  readonly ifExists: boolean
  readonly name: string
  readonly pos: SourcePosition
}

export type ConnectorStatement = CreateConnector | ListConnectors | DescribeConnector | DropConnector
