// Ten records one second apart, then the admin client's earliest/latest and by-timestamp offsets.
const { run, produce } = require('./hub')

run(async (kafka, [topic, baseTime, ...queries]) => {
  const base = Number(baseTime)
  const messages = Array.from({ length: 10 }, (_, i) => ({ value: `${i}`, timestamp: `${base + i * 1000}` }))
  await produce(kafka, {}, { topic, messages })
  const admin = kafka.admin()
  await admin.connect()
  try {
    const byTimestamp = {}
    for (const query of queries) byTimestamp[query] = await admin.fetchTopicOffsetsByTimestamp(topic, Number(query))
    return { offsets: await admin.fetchTopicOffsets(topic), byTimestamp }
  } finally {
    await admin.disconnect()
  }
})
