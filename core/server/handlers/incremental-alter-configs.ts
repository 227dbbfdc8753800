// IncrementalAlterConfigs: SET and DELETE on topic configs. APPEND/SUBTRACT (list configs)
// are refused: no topic config Brook knows is a list it could edit piecewise.
import { ApiKeys } from '../../protocol/apis/index.js'
import type {
  IncrementalAlterConfigsRequestAlterConfigsResource,
  IncrementalAlterConfigsResponseAlterConfigsResourceResponse,
} from '../../protocol/apis/generated/incremental-alter-configs.js'
import { parseLogConfig } from '../../log/log-config.js'
import { defineHandler, type RequestContext } from '../context.js'
import { ErrorCode, errorOf } from '../error-codes.js'
import { TOPIC_RESOURCE } from './describe-configs.js'

const SET = 0
const DELETE = 1

type Op = { name: string; op: 'set'; value: string } | { name: string; op: 'delete' }

export const incrementalAlterConfigsHandler = defineHandler({
  apiKey: ApiKeys.IncrementalAlterConfigs,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, ctx) {
    const responses: IncrementalAlterConfigsResponseAlterConfigsResourceResponse[] = []
    for (const r of request.resources) responses.push(await alter(r, request.validateOnly, ctx))
    return { throttleTimeMs: 0, responses }
  },
})

async function alter(
  r: IncrementalAlterConfigsRequestAlterConfigsResource,
  validateOnly: boolean,
  ctx: RequestContext,
): Promise<IncrementalAlterConfigsResponseAlterConfigsResourceResponse> {
  const base = { resourceType: r.resourceType, resourceName: r.resourceName }
  if (r.resourceType !== TOPIC_RESOURCE) {
    return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Only topic configs (resource type 2) can be altered, got type ${r.resourceType}` }
  }
  const ops: Op[] = []
  for (const c of r.configs) {
    if (c.configOperation === SET && c.value !== null) ops.push({ name: c.name, op: 'set', value: c.value })
    else if (c.configOperation === DELETE) ops.push({ name: c.name, op: 'delete' })
    else {
      return { ...base, errorCode: ErrorCode.INVALID_CONFIG, errorMessage: `Operation ${c.configOperation} on '${c.name}' is not supported (SET needs a value; APPEND/SUBTRACT unsupported)` }
    }
  }
  try {
    if (validateOnly) {
      // Same check the broker applies: the overrides on top of the broker defaults must parse.
      const overrides = { ...ctx.broker.topicConfigs(r.resourceName).overrides }
      for (const op of ops) {
        if (op.op === 'set') overrides[op.name] = op.value
        else delete overrides[op.name]
      }
      parseLogConfig({ ...ctx.broker.brokerTopicDefaults, ...overrides })
    } else {
      await ctx.broker.alterTopicConfigs(r.resourceName, ops)
    }
    return { ...base, errorCode: 0, errorMessage: null }
  } catch (err) {
    return { ...base, ...errorOf(err) }
  }
}
