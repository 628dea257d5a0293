// The fault-injection suite's kafkajs workload: an idempotent producer (acks -1) per partition, speaking
// faults-protocol.js's lines.
//   node faults-producer.js host1:9092,host2:9092 topic
// One send() at a time per partition: kafkajs 2.2.4 drops records when one send spans several leaders and one of them
// dies, and gives concurrent sends to one partition the same sequence.
const { Kafka, logLevel } = require('kafkajs')
const { serve } = require('./faults-protocol')

const [brokers, topic] = process.argv.slice(2)

const kafka = new Kafka({ clientId: 'hub-faults-kafkajs', brokers: brokers.split(','), logLevel: logLevel.NOTHING })

serve(async () => {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  return {
    async send(partition, values) {
      const sent = await producer.send({ topic, acks: -1, messages: values.map(value => ({ partition, value })) })
      return BigInt(sent[0].baseOffset)
    },
    close: () => producer.disconnect(),
  }
})
