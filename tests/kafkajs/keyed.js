// Keyed records sent through kafkajs' default partitioner (Java-compatible murmur2), read back with their partitions.
const { run, produce, consumeFromBeginning } = require('./hub')

run(async (kafka, [topic, count]) => {
  const messages = Array.from({ length: Number(count) }, (_, i) => ({ key: `customer-${i}`, value: `${i}` }))
  await produce(kafka, {}, { topic, messages })
  return consumeFromBeginning(kafka, topic, messages.length)
})
