// AlterConfigs (the non-incremental api 33, which kafka-python 2.x and older tools use):
// each topic resource's entries replace that topic's whole override set, so configs left
// out return to their defaults, as Kafka does. Entries with a null value are left out.
import { ApiKeys } from '../../protocol/apis/index.js'
import type {
  AlterConfigsRequestAlterConfigsResource,
  AlterConfigsResponseAlterConfigsResourceResponse,
} from '../../protocol/apis/generated/alter-configs.js'
import { parseLogConfig } from '../../log/log-config.js'
import { defineHandler, type RequestContext } from '../context.js'
import { ErrorCode, errorOf } from '../error-codes.js'
import { TOPIC_RESOURCE } from './describe-configs.js'

export const alterConfigsHandler = defineHandler({
  apiKey: ApiKeys.AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    const responses: AlterConfigsResponseAlterConfigsResourceResponse[] = []
    for (const r of request.resources) responses.push(await replace(r, request.validateOnly, ctx))
    return { throttleTimeMs: 0, responses }
  },
})

async function replace(
  r: AlterConfigsRequestAlterConfigsResource,
  validateOnly: boolean,
  ctx: RequestContext,
): Promise<AlterConfigsResponseAlterConfigsResourceResponse> {
  const base = { resourceType: r.resourceType, resourceName: r.resourceName }
  if (r.resourceType !== TOPIC_RESOURCE) {
    return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Only topic configs (resource type 2) can be altered, got type ${r.resourceType}` }
  }
  const configs: Record<string, string> = {}
  const seen = new Set<string>()
  for (const c of r.configs) {
    if (seen.has(c.name)) return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Config '${c.name}' appears more than once` }
    seen.add(c.name)
    if (c.value !== null) configs[c.name] = c.value
  }
  try {
    if (validateOnly) {
      ctx.broker.topicConfigs(r.resourceName) // the topic must exist
      parseLogConfig({ ...ctx.broker.brokerTopicDefaults, ...configs })
    } else {
      await ctx.broker.replaceTopicConfigs(r.resourceName, configs)
    }
    return { ...base, errorCode: 0, errorMessage: null }
  } catch (err) {
    return { ...base, ...errorOf(err) }
  }
}
