// Brook's main job on the embedded default: a topic, a producer, and a consumer
// group reading it back, all in this process on a log in ./.brook-data/quickstart.
import path from 'node:path'
import { EmbeddedClient } from '../core/index.js'

const dataDir = process.env.BROOK_DATA_DIR ?? path.resolve('.brook-data', 'quickstart')
const topic = 'greetings'
const client = await EmbeddedClient.open({ dataDir })
const admin = client.admin()

if (!(await admin.listTopics()).includes(topic)) {
  await admin.createTopics([{ topic, numPartitions: 3 }])
  console.log(`created topic ${topic} with 3 partitions in ${dataDir}`)
}

const producer = client.producer({ acks: 'all' })
const sent = await producer.sendBatch(
  ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'].map((name, i) => ({ topic, key: name, value: `hello #${i} from ${name}` })),
)
await producer.close()
for (const m of sent) console.log(`produced  ${m.topic}-${m.partition}@${m.offset}`)

const consumer = client.consumer({ groupId: 'quickstart', autoOffsetReset: 'earliest', enableAutoCommit: false })
consumer.subscribe([topic])
let received = 0
while (received < sent.length) {
  const records = await consumer.poll(1000)
  for (const r of records) {
    console.log(`consumed  ${r.topic}-${r.partition}@${r.offset} key=${r.key?.toString()} value=${r.value?.toString()}`)
    received++
  }
  await consumer.commitSync()
}
await consumer.close()

for (const o of await admin.listGroupOffsets('quickstart')) {
  console.log(`group quickstart ${o.topic}-${o.partition}: committed ${o.committedOffset}, end ${o.logEndOffset}, lag ${o.lag}`)
}
await client.close()
