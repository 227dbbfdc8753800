// The Kafka wire protocol server.
export { startServer, stderrLogger, clusterIdFor, type ServerOptions, type BrookServer } from './server.js'
export { Router, type ConnectionInfo, type Dispatched } from './router.js'
export { defaultHandlers } from './handlers/index.js'
export { defineHandler, type AnyApiHandler, type ApiHandler, type RequestContext, type ServerLogger, type ServerState } from './context.js'
