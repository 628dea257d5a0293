// Broker metadata as kafkajs' admin client sees it: the cluster's brokers and a topic's partitions.
const { run } = require('./hub')

run(async (kafka, [topic]) => {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const cluster = await admin.describeCluster()
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] })
    const listed = await admin.listTopics()
    return { brokers: cluster.brokers, controller: cluster.controller, topics, listed: listed.includes(topic) }
  } finally {
    await admin.disconnect()
  }
})
