export { TopologyTestDriver, type TopologyTestDriverConfig } from './topology-test-driver.js'
export { TestInputTopic, TestOutputTopic, type TestRecord } from './test-topics.js'
