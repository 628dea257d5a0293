// The fault-injection suite's @platformatic/kafka workload: an idempotent producer (acks -1) per partition, speaking
// faults-protocol.js's lines. Each producer starts with InitProducerId carrying producer id 0 and epoch 0, the client
// for which Hub once bumped one shared id instead of allocating fresh ones, acknowledging a second producer's batches
// as the first's duplicates (issue 20): every fresh producer after a fault retests that.
//   node platformatic-faults-producer.js host1:9092,host2:9092 topic
const { serve } = require('./faults-protocol')

const [brokers, topic] = process.argv.slice(2)

serve(async () => {
  const { Producer, stringSerializers } = await import('@platformatic/kafka')
  const producer = new Producer({
    clientId: 'hub-faults-platformatic',
    bootstrapBrokers: brokers.split(','),
    serializers: stringSerializers,
    idempotent: true,
    acks: -1,
  })
  return {
    async send(partition, values) {
      const sent = await producer.send({ messages: values.map(value => ({ topic, partition, value })) })
      return BigInt(sent.offsets.find(o => o.partition === partition).offset)
    },
    close: () => producer.close(),
  }
})
