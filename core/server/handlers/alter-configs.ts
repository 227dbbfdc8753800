// AlterConfigs (the non-incremental api 33, which kafka-python 2.x and older tools use):
// each topic resource's entries replace that topic's whole override set, so configs left
// out return to their defaults, as Kafka does. Entries with a null value are left out.
import { ApiKeys } from '../../protocol/apis/index.js'
import type { AlterConfigsResponseAlterConfigsResourceResponse } from '../../protocol/apis/generated/alter-configs.js'
import { defineHandler } from '../context.js'
import { ErrorCode } from '../error-codes.js'
import { changeTopicConfigs, type NextOverrides } from './topic-config-change.js'

export const alterConfigsHandler = defineHandler({
  apiKey: ApiKeys.AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    const responses: AlterConfigsResponseAlterConfigsResourceResponse[] = []
    for (const r of request.resources) {
      responses.push(await changeTopicConfigs(r, request.validateOnly, ctx, () => replacement(r.configs)))
    }
    return { throttleTimeMs: 0, responses }
  },
})

function replacement(entries: ReadonlyArray<{ name: string; value: string | null }>): NextOverrides {
  const overrides: Record<string, string> = {}
  const seen = new Set<string>()
  for (const c of entries) {
    if (seen.has(c.name)) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Config '${c.name}' appears more than once` }
    seen.add(c.name)
    if (c.value !== null) overrides[c.name] = c.value
  }
  return { overrides }
}
