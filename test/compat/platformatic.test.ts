// @platformatic/kafka against Brook's wire server: the suite is in platformatic/suite.ts, beside
// the client's own install (scripts/ci/install-compat.sh), which stays out of Brook's npm install.
import { describeWithTools, toolProblem } from './helpers.js'

if (toolProblem('platformatic') === null) await import('./platformatic/suite.js')
else describeWithTools('@platformatic/kafka', ['platformatic'], () => {})
