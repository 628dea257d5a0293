// The line protocol of the fault-injection suite's node workloads (tests/Hub.Faults, NodeRecordSender): records come
// on stdin and are answered on stdout, one JSON line each way:
//   in:  {"partition": 0, "value": "kafkajs/0/17"}
//   out: {"value": "kafkajs/0/17", "offset": "1234"}   or   {"value": "kafkajs/0/17", "error": "..."}
// Runs until stdin closes and every record is answered. Each partition has its own producer and one send at a time,
// carrying what queued meanwhile; after a failed send its producer is dropped and the next send gets a fresh one
// (a fresh producer id), as an application would, since its sequence may disagree with the broker's.
const readline = require('readline')

// Records per send: a partition that was unavailable catches up in a few requests, not one huge one.
const MAX_RECORDS_PER_SEND = 100

const answer = line => process.stdout.write(JSON.stringify(line) + '\n')

/**
 * @param createProducer async () => ({ send(partition, values) → base offset (BigInt), close() })
 */
function serve(createProducer) {
  function partitionStream(partition) {
    const queue = []
    let producer = null
    let sending = null

    async function discard() {
      const failed = producer
      producer = null
      if (failed !== null) await failed.close().catch(() => {})
    }

    async function pump() {
      while (queue.length > 0) {
        const values = queue.splice(0, MAX_RECORDS_PER_SEND)
        try {
          if (producer === null) producer = await createProducer()
          const base = await producer.send(partition, values)
          values.forEach((value, i) => answer({ value, offset: (base + BigInt(i)).toString() }))
        } catch (error) {
          values.forEach(value => answer({ value, error: `${error.name}: ${error.message}` }))
          await discard()
        }
      }
      sending = null
    }

    return {
      add(value) {
        queue.push(value)
        if (sending === null) sending = pump()
      },
      async close() {
        while (sending !== null) await sending
        await discard()
      },
    }
  }

  const streams = new Map()
  const input = readline.createInterface({ input: process.stdin })
  input.on('line', line => {
    const { partition, value } = JSON.parse(line)
    if (!streams.has(partition)) streams.set(partition, partitionStream(partition))
    streams.get(partition).add(value)
  })
  input.on('close', async () => {
    await Promise.all([...streams.values()].map(s => s.close()))
    process.exit(0)
  })
}

module.exports = { serve }
