// The shared step of AlterConfigs and IncrementalAlterConfigs: both turn one resource of the
// request into the topic's next override set, then either check it (validate_only) or store it.
// They differ only in how the next set is built from the current one.
import { parseLogConfig } from '../../log/log-config.js'
import type { RequestContext } from '../context.js'
import { ErrorCode, errorOf } from '../error-codes.js'
import { TOPIC_RESOURCE } from './describe-configs.js'

export interface ConfigResourceResult {
  resourceType: number
  resourceName: string
  errorCode: number
  errorMessage: string | null
}

/** What a request asks of one topic: its next overrides, or why the request is refused. */
export type NextOverrides = { overrides: Record<string, string> } | { errorCode: number; errorMessage: string }

export async function changeTopicConfigs(
  resource: { resourceType: number; resourceName: string },
  validateOnly: boolean,
  ctx: RequestContext,
  next: (current: Readonly<Record<string, string>>) => NextOverrides,
): Promise<ConfigResourceResult> {
  const base = { resourceType: resource.resourceType, resourceName: resource.resourceName }
  if (resource.resourceType !== TOPIC_RESOURCE) {
    return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Only topic configs (resource type 2) can be altered, got type ${resource.resourceType}` }
  }
  try {
    const wanted = next(ctx.broker.topicConfigs(resource.resourceName).overrides) // throws for an unknown topic
    if ('errorCode' in wanted) return { ...base, ...wanted }
    // The same check the broker applies: the overrides on top of the broker defaults must parse.
    if (validateOnly) parseLogConfig({ ...ctx.broker.brokerTopicDefaults, ...wanted.overrides })
    else await ctx.broker.replaceTopicConfigs(resource.resourceName, wanted.overrides)
    return { ...base, errorCode: 0, errorMessage: null }
  } catch (err) {
    return { ...base, ...errorOf(err) }
  }
}
