// An idempotent producer (producer id, epoch and sequence numbers) sending several batches.
const { run, consumeFromBeginning } = require('./hub')

run(async (kafka, [topic, batches, perBatch]) => {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  try {
    for (let b = 0; b < Number(batches); b++) {
      const messages = Array.from({ length: Number(perBatch) }, (_, i) => ({ value: `${b * Number(perBatch) + i}` }))
      await producer.send({ topic, acks: -1, messages })
    }
  } finally {
    await producer.disconnect()
  }
  return consumeFromBeginning(kafka, topic, Number(batches) * Number(perBatch))
})
