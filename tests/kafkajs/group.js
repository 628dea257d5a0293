// A consumer group: several members split the topic's partitions and read each record once; after they leave,
// a new member of the same group resumes from the offsets they committed.
const { run, signal, describe, consumeCount, produce } = require('./hub')

run(async (kafka, [topic, groupId, memberCount, partitionCount, recordCount]) => {
  const partitions = Number(partitionCount)
  const records = Number(recordCount)
  const members = Array.from({ length: Number(memberCount) }, () => kafka.consumer({ groupId }))
  const assignments = members.map(() => [])
  const balanced = signal()
  members.forEach((member, i) => member.on(member.events.GROUP_JOIN, ({ payload }) => {
    assignments[i] = payload.memberAssignment[topic] || []
    const owned = assignments.flat()
    if (assignments.every(a => a.length > 0) && owned.length === partitions && new Set(owned).size === partitions) balanced.resolve()
  }))

  const received = members.map(() => [])
  const all = signal()
  let total = 0
  for (const [i, member] of members.entries()) {
    await member.connect()
    await member.subscribe({ topic, fromBeginning: true })
    await member.run({
      eachMessage: async ({ partition, message }) => {
        received[i].push(describe(partition, message))
        if (++total === records) all.resolve()
      },
    })
  }
  await balanced.promise
  const split = assignments.map(a => [...a])
  await produce(kafka, {}, { topic, messages: Array.from({ length: records }, (_, i) => ({ partition: i % partitions, value: `first-${i}` })) })
  await all.promise
  // Leaving commits what each member consumed.
  await Promise.all(members.map(member => member.disconnect()))

  await produce(kafka, {}, { topic, messages: Array.from({ length: partitions }, (_, i) => ({ partition: i, value: `second-${i}` })) })
  const successor = kafka.consumer({ groupId })
  await successor.connect()
  try {
    await successor.subscribe({ topic, fromBeginning: true })
    const resumed = await consumeCount(successor, partitions)
    return { assignments: split, received, resumed }
  } finally {
    await successor.disconnect()
  }
})
