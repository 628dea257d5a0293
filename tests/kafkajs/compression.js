// One batch compressed with the named codec (GZIP, Snappy, LZ4, ZSTD), read back through the same codec.
const { run, produce, consumeFromBeginning, CompressionTypes } = require('./hub')

run(async (kafka, [topic, codec, count]) => {
  const messages = Array.from({ length: Number(count) }, (_, i) => ({ key: `k${i}`, value: `record ${i} ${'x'.repeat(100)}` }))
  await produce(kafka, {}, { topic, compression: CompressionTypes[codec], messages })
  return consumeFromBeginning(kafka, topic, messages.length)
})
