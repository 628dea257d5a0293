// Records with keys, headers, a null key, a null value and empty bytes, produced and read back.
const { run, produce, consumeFromBeginning } = require('./hub')

run(async (kafka, [topic]) => {
  await produce(kafka, {}, {
    topic,
    messages: [
      { key: 'k1', value: 'v1', headers: { trace: 't-1', empty: '' } },
      { key: null, value: 'no key' },
      { key: 'tombstone', value: null },
      { key: '', value: '' },
    ],
  })
  return consumeFromBeginning(kafka, topic, 4)
})
