// A transactional producer: a committed transaction, an aborted one, and one that also commits a group's offset
// (sendOffsets); then the topic read at read_committed and read_uncommitted, and the group's committed offset.
const { run, consumeCount } = require('./hub')

run(async (kafka, [topic, group]) => {
  const producer = kafka.producer({ transactionalId: `tx-${topic}`, idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  try {
    let transaction = await producer.transaction()
    await transaction.send({ topic, messages: [{ value: 'a1' }, { value: 'a2' }] })
    await transaction.commit()
    transaction = await producer.transaction()
    await transaction.send({ topic, messages: [{ value: 'b1' }] })
    await transaction.abort()
    transaction = await producer.transaction()
    await transaction.send({ topic, messages: [{ value: 'c1' }] })
    await transaction.sendOffsets({ consumerGroupId: group, topics: [{ topic, partitions: [{ partition: 0, offset: '3' }] }] })
    await transaction.commit()
  } finally {
    await producer.disconnect()
  }

  const read = async (readUncommitted, count) => {
    const consumer = kafka.consumer({ groupId: `read-${readUncommitted}-${topic}`, readUncommitted })
    await consumer.connect()
    try {
      await consumer.subscribe({ topic, fromBeginning: true })
      return (await consumeCount(consumer, count)).map(m => Buffer.from(m.value, 'base64').toString())
    } finally {
      await consumer.disconnect()
    }
  }
  const admin = kafka.admin()
  await admin.connect()
  const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] })
  await admin.disconnect()
  return { committed: await read(false, 3), uncommitted: await read(true, 4), groupOffset: offsets[0].partitions[0].offset }
})
