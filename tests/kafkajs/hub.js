// What every scenario script shares: a kafkajs client for the broker named on the command line, with every
// compression codec registered, a bound on the script's run time, and one JSON result on stdout.
const { Kafka, logLevel, CompressionTypes, CompressionCodecs } = require('kafkajs')
const SnappyCodec = require('kafkajs-snappy')
const lz4 = require('lz4-napi')
const zstd = require('@mongodb-js/zstd')

// kafkajs ships gzip only; snappy has a kafkajs codec package, lz4 and zstd get these thin adapters over
// libraries with prebuilt binaries (the kafkajs codec packages for them build native code at install).
// Kafka's lz4 is the LZ4 frame format.
CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec
CompressionCodecs[CompressionTypes.LZ4] = () => ({
  compress: encoder => lz4.compressFrame(encoder.buffer),
  decompress: buffer => lz4.decompressFrame(buffer),
})
CompressionCodecs[CompressionTypes.ZSTD] = () => ({
  compress: encoder => zstd.compress(encoder.buffer, 3),
  decompress: buffer => zstd.decompress(buffer),
})

const [broker, ...args] = process.argv.slice(2)

// A TLS or SASL listener's settings, when the xunit side gives them: {"ca": "ca.pem", "sasl": {mechanism, username, password}}.
const security = process.env.HUB_KAFKAJS_SECURITY ? JSON.parse(process.env.HUB_KAFKAJS_SECURITY) : {}

const kafka = new Kafka({
  clientId: 'hub-kafkajs-tests',
  brokers: [broker],
  logLevel: logLevel.ERROR,
  retry: { retries: 3, initialRetryTime: 100 },
  ssl: security.ca ? { ca: [require('fs').readFileSync(security.ca)] } : undefined,
  sasl: security.sasl,
})

// The xunit side kills a script that overruns too; this bound comes first, so the script exits with its own message.
const SCRIPT_TIMEOUT_MS = 45000

/** Runs a scenario and prints what it returns as JSON; any failure goes to stderr with exit code 1. */
function run(scenario) {
  const timer = setTimeout(() => {
    console.error(`scenario did not finish within ${SCRIPT_TIMEOUT_MS} ms`)
    process.exit(2)
  }, SCRIPT_TIMEOUT_MS)
  scenario(kafka, args)
    .then(result => {
      clearTimeout(timer)
      process.stdout.write(JSON.stringify(result) + '\n')
    })
    .catch(error => {
      console.error(error && error.stack ? error.stack : error)
      process.exit(1)
    })
}

/** Byte arrays go to the xunit side as base64, null as null. */
const bytes = buffer => (buffer === null || buffer === undefined ? null : buffer.toString('base64'))

/** A consumed message as the tests compare it. */
const describe = (partition, message) => ({
  partition,
  offset: message.offset,
  timestamp: message.timestamp,
  key: bytes(message.key),
  value: bytes(message.value),
  headers: Object.entries(message.headers || {}).map(([key, value]) => ({ key, value: bytes(value) })),
})

/** A promise with its resolve function, for waiting on a count or an event. */
function signal() {
  let resolve
  const promise = new Promise(r => { resolve = r })
  return { promise, resolve }
}

/**
 * Runs `consumer` (connected and subscribed) until it has received `count` messages, then stops it;
 * returns them in the order received.
 */
async function consumeCount(consumer, count) {
  const messages = []
  const done = signal()
  if (count === 0) done.resolve()
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      messages.push(describe(partition, message))
      if (messages.length === count) done.resolve()
    },
  })
  await done.promise
  await consumer.stop()
  return messages
}

/** The first `count` messages of a topic, read from the beginning by a consumer of a fresh group. */
async function consumeFromBeginning(kafka, topic, count) {
  const consumer = kafka.consumer({ groupId: `read-${topic}` })
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    return await consumeCount(consumer, count)
  } finally {
    await consumer.disconnect()
  }
}

/** Sends messages with a producer made from `options` and disconnects it; returns kafkajs' record metadata. */
async function produce(kafka, options, record) {
  const producer = kafka.producer(options)
  await producer.connect()
  try {
    return await producer.send(record)
  } finally {
    await producer.disconnect()
  }
}

module.exports = { run, signal, describe, consumeCount, consumeFromBeginning, produce, CompressionTypes }
