// FindCoordinator: this node coordinates every group and every transactional id.
import { ApiKeys } from '../../protocol/apis/index.js'
import { createFindCoordinatorResponse, type FindCoordinatorResponseCoordinator } from '../../protocol/apis/generated/find-coordinator.js'
import { defineHandler, type RequestContext } from '../context.js'
import { ErrorCode } from '../error-codes.js'

const GROUP = 0
const TRANSACTION = 1

export const findCoordinatorHandler = defineHandler({
  apiKey: ApiKeys.FindCoordinator,
  minVersion: 0,
  maxVersion: 4,
  handle(request, ctx) {
    const base = createFindCoordinatorResponse()
    // v4 batches keys; older versions carry one key and answer at the top level.
    if (ctx.apiVersion >= 4) {
      return { ...base, coordinators: request.coordinatorKeys.map((key) => locate(key, request.keyType, ctx)) }
    }
    const { nodeId, host, port, errorCode, errorMessage } = locate(request.key, request.keyType, ctx)
    return { ...base, nodeId, host, port, errorCode, errorMessage: ctx.apiVersion >= 1 ? errorMessage : base.errorMessage }
  },
})

function locate(key: string, keyType: number, ctx: RequestContext): FindCoordinatorResponseCoordinator {
  const here = { key, nodeId: ctx.broker.config.nodeId, host: ctx.server.advertisedHost, port: ctx.server.advertisedPort }
  const none = { key, nodeId: -1, host: '', port: -1 }
  if (keyType === GROUP) {
    if (key === '') return { ...none, errorCode: ErrorCode.INVALID_GROUP_ID, errorMessage: 'Group id must not be empty' }
    return { ...here, errorCode: 0, errorMessage: null }
  }
  if (keyType === TRANSACTION) {
    if (key === '') return { ...none, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Transactional id must not be empty' }
    return { ...here, errorCode: 0, errorMessage: null }
  }
  return { ...none, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unknown coordinator key type ${keyType}` }
}
