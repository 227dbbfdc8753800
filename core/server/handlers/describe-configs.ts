// DescribeConfigs: topic resources list every known topic config; the broker resource a
// few read-only broker settings.
import { ApiKeys } from '../../protocol/apis/index.js'
import type {
  DescribeConfigsRequestDescribeConfigsResource,
  DescribeConfigsResponseDescribeConfigsResourceResult,
  DescribeConfigsResponseDescribeConfigsResult,
} from '../../protocol/apis/generated/describe-configs.js'
import { defineHandler, type RequestContext } from '../context.js'
import { ErrorCode, errorOf } from '../error-codes.js'
import { ConfigSource, describeTopicConfigs, type DescribedConfig } from '../topic-configs.js'

export const TOPIC_RESOURCE = 2
export const BROKER_RESOURCE = 4

export const describeConfigsHandler = defineHandler({
  apiKey: ApiKeys.DescribeConfigs,
  minVersion: 1,
  maxVersion: 4,
  handle(request, ctx) {
    return {
      throttleTimeMs: 0,
      results: request.resources.map((r) => describe(r, request.includeSynonyms, request.includeDocumentation, ctx)),
    }
  },
})

function describe(
  r: DescribeConfigsRequestDescribeConfigsResource,
  synonyms: boolean,
  docs: boolean,
  ctx: RequestContext,
): DescribeConfigsResponseDescribeConfigsResult {
  const base = { resourceType: r.resourceType, resourceName: r.resourceName }
  let configs: DescribedConfig[]
  let readOnly = false
  try {
    if (r.resourceType === TOPIC_RESOURCE) {
      configs = describeTopicConfigs(ctx.broker, r.resourceName)
    } else if (r.resourceType === BROKER_RESOURCE) {
      if (r.resourceName !== '' && r.resourceName !== String(ctx.broker.config.nodeId)) {
        return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unknown broker '${r.resourceName}'`, configs: [] }
      }
      configs = brokerConfigs(ctx)
      readOnly = true
    } else {
      return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Resource type ${r.resourceType} is not supported`, configs: [] }
    }
  } catch (err) {
    return { ...base, ...errorOf(err), configs: [] }
  }
  const keys = r.configurationKeys === null || r.configurationKeys.length === 0 ? null : new Set(r.configurationKeys)
  const v3 = ctx.apiVersion >= 3
  return {
    ...base,
    errorCode: 0,
    errorMessage: null,
    configs: configs
      .filter((c) => keys === null || keys.has(c.name))
      .map(
        (c): DescribeConfigsResponseDescribeConfigsResourceResult => ({
          name: c.name,
          value: c.value,
          readOnly,
          isDefault: false,
          configSource: c.configSource,
          isSensitive: false,
          synonyms: synonyms ? [{ name: c.name, value: c.value, source: c.configSource }] : [],
          configType: v3 ? c.configType : 0,
          documentation: v3 && docs ? c.documentation : null,
        }),
      ),
  }
}

function brokerConfigs(ctx: RequestContext): DescribedConfig[] {
  const c = ctx.broker.config
  const entry = (name: string, value: string, configType: number): DescribedConfig => ({
    name,
    value,
    configSource: ConfigSource.STATIC_BROKER_CONFIG,
    configType,
    documentation: '',
  })
  return [
    entry('node.id', String(c.nodeId), 3),
    entry('broker.id', String(c.nodeId), 3),
    entry('num.partitions', String(c.numPartitions), 3),
    entry('default.replication.factor', '1', 4),
    entry('auto.create.topics.enable', String(c.autoCreateTopicsEnable), 1),
    entry('offsets.topic.num.partitions', String(c.offsetsTopicNumPartitions), 3),
    entry('group.initial.rebalance.delay.ms', String(c.groupInitialRebalanceDelayMs), 3),
    entry('log.retention.check.interval.ms', String(c.logRetentionCheckIntervalMs), 5),
    entry('log.dirs', c.dataDir, 2),
    entry('advertised.listeners', `PLAINTEXT://${ctx.server.advertisedHost}:${ctx.server.advertisedPort}`, 2),
  ]
}
