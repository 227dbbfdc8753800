// DescribeCluster: one broker, which is also the controller.
import { ApiKeys } from '../../protocol/apis/index.js'
import { createDescribeClusterResponse } from '../../protocol/apis/generated/describe-cluster.js'
import { defineHandler } from '../context.js'
import { ErrorCode } from '../error-codes.js'
import { authorizedOperations } from '../authorized-operations.js'

const BROKERS = 1

export const describeClusterHandler = defineHandler({
  apiKey: ApiKeys.DescribeCluster,
  minVersion: 0,
  maxVersion: 1,
  handle(request, ctx) {
    const base = createDescribeClusterResponse()
    if (ctx.apiVersion >= 1 && request.endpointType !== BROKERS) {
      return { ...base, errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, errorMessage: `Endpoint type ${request.endpointType} is not served`, endpointType: request.endpointType }
    }
    const nodeId = ctx.broker.config.nodeId
    return {
      ...base,
      clusterId: ctx.server.clusterId,
      controllerId: nodeId,
      brokers: [{ brokerId: nodeId, host: ctx.server.advertisedHost, port: ctx.server.advertisedPort, rack: null }],
      clusterAuthorizedOperations: authorizedOperations('cluster', request.includeClusterAuthorizedOperations),
    }
  },
})
