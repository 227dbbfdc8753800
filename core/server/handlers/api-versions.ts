// ApiVersions: the version ranges of the handler table, so clients pick versions we serve.
import { ApiKeys } from '../../protocol/apis/index.js'
import { createApiVersionsResponse } from '../../protocol/apis/generated/api-versions.js'
import { defineHandler } from '../context.js'

export const apiVersionsHandler = defineHandler({
  apiKey: ApiKeys.ApiVersions,
  minVersion: 0,
  maxVersion: 3,
  handle(_request, ctx) {
    return { ...createApiVersionsResponse(), errorCode: 0, apiKeys: [...ctx.server.apiVersions] }
  },
})
