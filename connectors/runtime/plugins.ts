// Connector classes by name: the full class names users' Connect configs carry and short aliases.
import type { SinkConnector, SourceConnector } from '../api/connector.js'

type ConnectorFactory = () => SourceConnector | SinkConnector

const registry = new Map<string, ConnectorFactory>()

export function registerConnector(names: string[], factory: ConnectorFactory): void {
  for (const n of names) registry.set(n, factory)
}

export function connectorFactory(className: string): ConnectorFactory | undefined {
  return registry.get(className)
}

export function connectorClassNames(): string[] {
  return [...registry.keys()].filter((n) => n.includes('.')).sort()
}
