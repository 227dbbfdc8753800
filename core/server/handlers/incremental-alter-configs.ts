// IncrementalAlterConfigs: SET and DELETE on topic configs. APPEND/SUBTRACT (list configs)
// are refused: no topic config Brook knows is a list it could edit piecewise.
import { ApiKeys } from '../../protocol/apis/index.js'
import type {
  IncrementalAlterConfigsRequestAlterableConfig,
  IncrementalAlterConfigsResponseAlterConfigsResourceResponse,
} from '../../protocol/apis/generated/incremental-alter-configs.js'
import { defineHandler } from '../context.js'
import { ErrorCode } from '../error-codes.js'
import { changeTopicConfigs, type NextOverrides } from './topic-config-change.js'

const SET = 0
const DELETE = 1

export const incrementalAlterConfigsHandler = defineHandler({
  apiKey: ApiKeys.IncrementalAlterConfigs,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, ctx) {
    const responses: IncrementalAlterConfigsResponseAlterConfigsResourceResponse[] = []
    for (const r of request.resources) {
      responses.push(await changeTopicConfigs(r, request.validateOnly, ctx, (current) => edited(current, r.configs)))
    }
    return { throttleTimeMs: 0, responses }
  },
})

function edited(current: Readonly<Record<string, string>>, ops: readonly IncrementalAlterConfigsRequestAlterableConfig[]): NextOverrides {
  const overrides = { ...current }
  for (const c of ops) {
    if (c.configOperation === SET && c.value !== null) overrides[c.name] = c.value
    else if (c.configOperation === DELETE) delete overrides[c.name]
    else {
      return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: `Operation ${c.configOperation} on '${c.name}' is not supported (SET needs a value; APPEND/SUBTRACT unsupported)` }
    }
  }
  return { overrides }
}
