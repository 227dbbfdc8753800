// DeleteTopics: by name (v0-5) or by name or topic id (v6).
import { ApiKeys } from '../../protocol/apis/index.js'
import type { DeleteTopicsResponseDeletableTopicResult } from '../../protocol/apis/generated/delete-topics.js'
import { defineHandler, type RequestContext } from '../context.js'
import { ErrorCode, errorOf } from '../error-codes.js'
import { topicById, toWireUuid, ZERO_UUID } from '../topic-ids.js'

export const deleteTopicsHandler = defineHandler({
  apiKey: ApiKeys.DeleteTopics,
  minVersion: 0,
  maxVersion: 6,
  async handle(request, ctx) {
    const wanted = ctx.apiVersion >= 6 ? request.topics : request.topicNames.map((name) => ({ name, topicId: ZERO_UUID }))
    const responses: DeleteTopicsResponseDeletableTopicResult[] = []
    for (const t of wanted) responses.push(await remove(t.name, t.topicId, ctx))
    return { throttleTimeMs: 0, responses }
  },
})

async function remove(name: string | null, topicId: string, ctx: RequestContext): Promise<DeleteTopicsResponseDeletableTopicResult> {
  const withMessage = ctx.apiVersion >= 5
  let topicName = name
  if (topicName === null) {
    const topic = topicById(ctx.broker, topicId)
    if (!topic) return { name: null, topicId, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: withMessage ? `Unknown topic id ${topicId}` : null }
    topicName = topic.name
  }
  let id = topicId
  try {
    if (ctx.broker.hasTopic(topicName)) id = toWireUuid(ctx.broker.describeTopic(topicName).topicId)
    await ctx.broker.deleteTopic(topicName)
    return { name: topicName, topicId: id, errorCode: 0, errorMessage: null }
  } catch (err) {
    const { errorCode, errorMessage } = errorOf(err)
    return { name: topicName, topicId: id, errorCode, errorMessage: withMessage ? errorMessage : null }
  }
}
