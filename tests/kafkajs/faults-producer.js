// The fault-injection suite's kafkajs workload (tests/Hub.Faults, KafkajsRecordSender): an idempotent producer
// (acks -1) per partition, fed on stdin and answering on stdout, one JSON line each way:
//   in:  {"partition": 0, "value": "kafkajs/0/17"}
//   out: {"value": "kafkajs/0/17", "offset": "1234"}   or   {"value": "kafkajs/0/17", "error": "..."}
// Runs until stdin closes and every record is answered.
//   node faults-producer.js host1:9092,host2:9092 topic
// One send() at a time per partition, carrying what queued meanwhile: kafkajs 2.2.4 drops records when one send
// spans several leaders and one of them dies, and gives concurrent sends to one partition the same sequence.
const readline = require('readline')
const { Kafka, logLevel } = require('kafkajs')

const [brokers, topic] = process.argv.slice(2)

// Records per send(): a partition that was unavailable catches up in a few requests, not one huge one.
const MAX_RECORDS_PER_SEND = 100

const kafka = new Kafka({ clientId: 'hub-faults-kafkajs', brokers: brokers.split(','), logLevel: logLevel.NOTHING })

const answer = line => process.stdout.write(JSON.stringify(line) + '\n')

/** A partition's stream: its queue, its producer, and whether a send() is running. */
function partitionStream(partition) {
  const queue = []
  let producer = null
  let sending = null

  async function connected() {
    if (producer === null) {
      const fresh = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
      await fresh.connect()
      producer = fresh
    }
    return producer
  }

  // After a failed send the producer's sequence may disagree with the broker's, so the next send gets a fresh
  // producer id instead, as an application would.
  async function discard() {
    const failed = producer
    producer = null
    if (failed !== null) await failed.disconnect().catch(() => {})
  }

  async function pump() {
    while (queue.length > 0) {
      const values = queue.splice(0, MAX_RECORDS_PER_SEND)
      try {
        const sent = await (await connected()).send({ topic, acks: -1, messages: values.map(value => ({ partition, value })) })
        const base = BigInt(sent[0].baseOffset)
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
