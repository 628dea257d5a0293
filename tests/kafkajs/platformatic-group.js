// @platformatic/kafka 1.x (its own protocol code: OffsetFetch v8+, Fetch v17, flexible versions everywhere): ten records
// produced, then two consumers of one group in turn, each committing what it reads; the second must resume where the
// first committed. ESM only, hence the dynamic import.
const { run } = require('./hub')

const [broker] = process.argv.slice(2)

run(async (_, [topic, group]) => {
  const { Producer, Consumer, stringSerializers, stringDeserializers, MessagesStreamModes, MessagesStreamFallbackModes } =
    await import('@platformatic/kafka')
  const bootstrapBrokers = [broker]
  const producer = new Producer({ clientId: 'hub-platformatic-tests', bootstrapBrokers, serializers: stringSerializers })
  try {
    await producer.send({ messages: Array.from({ length: 10 }, (_, i) => ({ topic, key: `k${i}`, value: `v${i}`, partition: i % 2 })) })
  } finally {
    await producer.close()
  }

  async function consume(count) {
    const consumer = new Consumer({ groupId: group, clientId: 'hub-platformatic-tests', bootstrapBrokers, deserializers: stringDeserializers, autocommit: false })
    const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.COMMITTED, fallbackMode: MessagesStreamFallbackModes.EARLIEST })
    const seen = []
    try {
      for await (const message of stream) {
        seen.push({ partition: message.partition, offset: Number(message.offset), value: message.value })
        await message.commit()
        if (seen.length === count) break
      }
    } finally {
      await stream.close()
      await consumer.close()
    }
    return seen
  }

  return { first: await consume(6), second: await consume(4) }
})
