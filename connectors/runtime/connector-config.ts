// The configuration every connector has (Kafka's ConnectorConfig / SinkConnectorConfig), and
// the check that every key given is known: to the connector, to the worker, or under one of
// the prefixes that carry sub-configs (converters, transforms, predicates, client overrides).
import { ConfigDef, NO_DEFAULT, Validators } from '../api/config-def.js'
import { ConfigException } from '../errors.js'

export const JSON_CONVERTER = 'org.apache.kafka.connect.json.JsonConverter'

export function commonConfigDef(kind: 'source' | 'sink'): ConfigDef {
  const def = new ConfigDef()
    .define('name', 'STRING', NO_DEFAULT, 'HIGH', 'Globally unique name to use for this connector.', Validators.nonEmpty())
    .define('connector.class', 'STRING', NO_DEFAULT, 'HIGH', 'Name or alias of the class for this connector.')
    .define('tasks.max', 'INT', 1, 'HIGH', 'Maximum number of tasks to use for this connector.', Validators.atLeast(1))
    .define('key.converter', 'CLASS', JSON_CONVERTER, 'LOW', 'Converter class for record keys.')
    .define('value.converter', 'CLASS', JSON_CONVERTER, 'LOW', 'Converter class for record values.')
    .define('header.converter', 'CLASS', null, 'LOW', 'Accepted for compatibility; headers are passed through as bytes.')
    .define('transforms', 'LIST', '', 'LOW', 'Aliases for the transformations to be applied to records.')
    .define('predicates', 'LIST', '', 'LOW', 'Aliases for the predicates used by transformations.')
    .define('config.action.reload', 'STRING', 'restart', 'LOW', 'Accepted for compatibility.')
    .define('errors.tolerance', 'STRING', 'none', 'MEDIUM', 'none: any conversion or transformation error fails the task; all: skip the record (sinks send it to the dead letter queue).', Validators.oneOf('none', 'all'))
    .define('errors.retry.timeout', 'LONG', 0, 'MEDIUM', 'Milliseconds to retry a failed operation; -1 retries forever.')
    .define('errors.retry.delay.max.ms', 'LONG', 60000, 'MEDIUM', 'Maximum milliseconds between consecutive retries.', Validators.atLeast(1))
    .define('errors.log.enable', 'BOOLEAN', false, 'MEDIUM', 'Log each error and the record that caused it.')
    .define('errors.log.include.messages', 'BOOLEAN', false, 'MEDIUM', 'Include the record in the error log.')
  if (kind === 'sink') {
    def
      .define('topics', 'LIST', '', 'HIGH', 'Topics to consume (or topics.regex).')
      .define('topics.regex', 'STRING', '', 'HIGH', 'Regular expression of the topics to consume.')
      .define('errors.deadletterqueue.topic.name', 'STRING', '', 'MEDIUM', 'Topic for records that failed conversion, transformation or the write (errors.tolerance=all).')
      .define('errors.deadletterqueue.topic.replication.factor', 'INT', 1, 'LOW', 'Replication factor of the dead letter queue topic.')
      .define('errors.deadletterqueue.context.headers.enable', 'BOOLEAN', false, 'MEDIUM', 'Add __connect.errors.* headers describing the failure.')
      .define('consumer.max.poll.records', 'INT', 500, 'LOW', 'Records per batch handed to the task.', Validators.atLeast(1))
  } else {
    def
      .define('topic.creation.default.partitions', 'INT', 1, 'LOW', 'Partitions of topics the source creates.', Validators.atLeast(1))
      .define('topic.creation.default.replication.factor', 'INT', 1, 'LOW', 'Replication factor of topics the source creates.')
      .define('exactly.once.support', 'STRING', 'requested', 'LOW', 'Exactly-once delivery needs transactions (a later issue); only at-least-once runs now.', Validators.oneOf('requested', 'required'))
  }
  return def
}

const PREFIXES = ['key.converter.', 'value.converter.', 'header.converter.', 'transforms.', 'predicates.', 'producer.override.', 'consumer.override.', 'topic.creation.']

/** Throws naming the first key no definition knows. */
export function checkUnknownKeys(props: Record<string, string>, def: ConfigDef, connector: string): void {
  for (const key of Object.keys(props)) {
    if (def.has(key) || PREFIXES.some((p) => key.startsWith(p))) continue
    throw new ConfigException(key, `unknown configuration key (not defined by ${props['connector.class'] ?? 'the connector'} nor the worker)`, { connector })
  }
}
