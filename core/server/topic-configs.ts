// Topic configs as DescribeConfigs and CreateTopics (v5+) report them: every known topic
// config with its effective value and where that value comes from.
import type { Broker } from '../broker/broker.js'
import { logConfigDefs, logConfigToStrings, type LogConfigDef } from '../log/log-config.js'

/** Kafka's ConfigSource values. */
export const ConfigSource = {
  DYNAMIC_TOPIC_CONFIG: 1,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const

/** Kafka's ConfigType values (DescribeConfigs v3+). */
const configTypes: Record<LogConfigDef['kind'], number> = { boolean: 1, string: 2, int: 3, long: 5, double: 6 }

export interface DescribedConfig {
  name: string
  value: string
  configSource: number
  configType: number
  documentation: string
}

export function describeTopicConfigs(broker: Broker, topic: string): DescribedConfig[] {
  const { effective, overrides } = broker.topicConfigs(topic)
  const values = logConfigToStrings(effective)
  const brokerDefaults = broker.brokerTopicDefaults
  return logConfigDefs.map((def) => ({
    name: def.name,
    value: values[def.name] ?? def.default,
    configSource: Object.hasOwn(overrides, def.name)
      ? ConfigSource.DYNAMIC_TOPIC_CONFIG
      : Object.hasOwn(brokerDefaults, def.name)
        ? ConfigSource.STATIC_BROKER_CONFIG
        : ConfigSource.DEFAULT_CONFIG,
    configType: configTypes[def.kind],
    documentation: def.doc,
  }))
}
