#!/usr/bin/env node
/*
 * kafkajs 2.2.4 against a running kgw, for test_kafkajs.py.
 *
 *   node kgw_e2e.js <scenario> <host:port>
 *
 * Each scenario drives kgw with kafkajs and prints one JSON object on the
 * last line of stdout: what it sent, read and was told. test_kafkajs.py
 * checks it (and reads some of the data back with librdkafka). kafkajs's own
 * log goes to stderr (KGW_KAFKAJS_LOG=debug for everything). A scenario that
 * throws prints {"error": ...} and exits 1; one that runs longer than
 * KGW_KAFKAJS_TIMEOUT_MS (default 60000) exits 2, so a hang is a failure.
 *
 * Scenarios: admin, produce, groups, group-admin, offsets.
 */
'use strict'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

const path = require('path')
const crypto = require('crypto')
const {
  Kafka,
  logLevel,
  CompressionTypes,
  ConfigResourceTypes,
  AssignerProtocol,
} = require(path.join(__dirname, 'node_modules', 'kafkajs'))

const [scenario, bootstrap] = process.argv.slice(2)
const TIMEOUT_MS = Number(process.env.KGW_KAFKAJS_TIMEOUT_MS || 60000)
const LEVELS = { nothing: logLevel.NOTHING, error: logLevel.ERROR, warn: logLevel.WARN,
  info: logLevel.INFO, debug: logLevel.DEBUG }

const logCreator = () => ({ namespace, label, log }) => {
  const { message, ...extra } = log
  process.stderr.write(`${new Date().toISOString()} kafkajs ${label} [${namespace}] ${message} ` +
    `${JSON.stringify(extra)}\n`)
}

const client = retries => new Kafka({
  clientId: 'kgw-e2e-kafkajs',
  brokers: [bootstrap],
  logLevel: LEVELS[process.env.KGW_KAFKAJS_LOG || 'warn'],
  logCreator,
  connectionTimeout: 3000,
  requestTimeout: 15000,
  retry: { initialRetryTime: 100, retries },
})
// Every request kafkajs sends, as "<api> v<version>", reported with the
// result so the test can say which protocol versions were exercised.
const requests = new Set()
function instrumented (k) {
  const wrap = make => (...args) => {
    const c = make(...args)
    c.on(c.events.REQUEST, e => requests.add(`${e.payload.apiName} v${e.payload.apiVersion}`))
    return c
  }
  return { admin: wrap(k.admin.bind(k)), producer: wrap(k.producer.bind(k)),
    consumer: wrap(k.consumer.bind(k)) }
}
const kafka = instrumented(client(6))
// For requests expected to fail with an error kafkajs retries (an unknown
// topic): one retry is enough to see the error.
const impatient = instrumented(client(1))

const unique = prefix => `${prefix}-${crypto.randomBytes(5).toString('hex')}`
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

async function waitFor (what, pred, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await pred()
    if (v) return v
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    }
    await sleep(50)
  }
}

// An error as JSON: kafkajs errors carry the Kafka error name in .type and
// aggregate errors carry a list.
function errorJson (e) {
  if (!e) return null
  const out = { name: e.name, message: e.message }
  if (e.type) out.type = e.type
  if (e.code !== undefined) out.code = e.code
  if (Array.isArray(e.errors)) out.errors = e.errors.map(errorJson)
  if (e.cause && e.cause !== e) out.cause = errorJson(e.cause)
  if (Array.isArray(e.groups)) {
    out.groups = e.groups.map(g => ({ groupId: g.groupId, errorCode: g.errorCode,
      type: g.error && g.error.type }))
  }
  return out
}

async function expectError (promise) {
  try {
    const value = await promise
    return { resolved: value === undefined ? null : value }
  } catch (e) {
    return { error: errorJson(e) }
  }
}

const str = b => (b === null || b === undefined ? null : b.toString())

// Headers as kafkajs hands them over: { key: Buffer | [Buffer, ...] }.
function headersJson (h) {
  const out = {}
  for (const [k, v] of Object.entries(h || {})) {
    out[k] = Array.isArray(v) ? v.map(str) : str(v)
  }
  return out
}

function messageJson (topic, partition, m) {
  return {
    topic,
    partition,
    offset: Number(m.offset),
    timestamp: Number(m.timestamp),
    key: str(m.key),
    value: str(m.value),
    headers: headersJson(m.headers),
  }
}

// Messages that say what they are: header "id" is "<tag>-<i>" (so is the key,
// except every 11th key is null), header "multi" repeats a key, header "empty"
// is empty, every 7th value is null; message i goes to partition i % partitions.
function makeMessages (tag, count, partitions, firstId = 0) {
  const out = []
  for (let j = 0; j < count; j++) {
    const i = firstId + j
    const id = `${tag}-${i}`
    out.push({
      partition: i % partitions,
      key: i % 11 === 5 ? null : id,
      value: i % 7 === 3 ? null : `value of ${id} ` + 'x'.repeat(i % 50),
      headers: { id, multi: ['a', `b${i}`], empty: '' },
    })
  }
  return out
}

async function createTopic (admin, topic, numPartitions, configEntries) {
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions, configEntries }],
    waitForLeaders: true,
  })
  if (created !== true) throw new Error(`createTopics ${topic}: expected true, got ${created}`)
}

// ---- 1. admin ----------------------------------------------------------------

async function scenarioAdmin () {
  const admin = kafka.admin()
  await admin.connect()
  const topic = unique('kjs-adm')
  const out = { topic }
  try {
    out.created = await admin.createTopics({
      topics: [{
        topic,
        numPartitions: 3,
        configEntries: [
          { name: 'retention.ms', value: '3600000' },
          { name: 'cleanup.policy', value: 'compact' },
        ],
      }],
    })
    out.createdAgain = await expectError(admin.createTopics({
      topics: [{ topic, numPartitions: 3 }],
    }))
    out.badConfig = await expectError(admin.createTopics({
      topics: [{ topic: unique('kjs-bad'), numPartitions: 1,
        configEntries: [{ name: 'retention.ms', value: 'soon' }] }],
    }))
    out.metadata = await admin.fetchTopicMetadata({ topics: [topic] })
    out.cluster = await admin.describeCluster()
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic,
        configNames: ['retention.ms', 'cleanup.policy', 'segment.bytes'] }],
    })
    out.configs = described.resources.map(r => ({
      errorCode: r.errorCode,
      resourceName: r.resourceName,
      resourceType: r.resourceType,
      entries: r.configEntries.map(c => ({ name: c.configName, value: c.configValue,
        isDefault: c.isDefault, source: c.configSource, readOnly: c.readOnly,
        sensitive: c.isSensitive })),
    }))
    const all = await admin.describeConfigs({
      includeSynonyms: true,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    })
    out.allConfigNames = all.resources[0].configEntries.map(c => c.configName)
    out.allConfigSynonyms = Object.fromEntries(all.resources[0].configEntries.map(c =>
      [c.configName, (c.configSynonyms || []).map(s => s.configName)]))
    out.topicsBefore = await admin.listTopics()
    out.deleted = await expectError(admin.deleteTopics({ topics: [topic] }))
    out.topicsAfter = await admin.listTopics()
    const quick = impatient.admin()
    await quick.connect()
    out.deleteUnknown = await expectError(quick.deleteTopics({ topics: [unique('kjs-none')] }))
    await quick.disconnect()
  } finally {
    await admin.disconnect()
  }
  return out
}

// ---- 2. producer ---------------------------------------------------------------

async function scenarioProduce () {
  const admin = kafka.admin()
  await admin.connect()
  const topic = unique('kjs-prod')
  const out = { topic, partitions: 4, sent: [], results: [] }
  await createTopic(admin, topic, 4)
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  try {
    for (const [name, compression] of [['none', CompressionTypes.None],
      ['gzip', CompressionTypes.GZIP]]) {
      const messages = makeMessages(`plain-${name}`, 40, 4)
      // Three more without a partition: kafkajs's default partitioner
      // places them by key (murmur2, as the Java client does).
      for (let i = 0; i < 3; i++) {
        messages.push({ key: `free-${name}-${i}`, value: `partitioned by key ${i}`,
          headers: { id: `free-${name}-${i}` } })
      }
      const res = await producer.send({ topic, compression, acks: -1, messages })
      out.sent.push(...messages.map(m => ({ ...m, compression: name, idempotent: false })))
      out.results.push({ compression: name, idempotent: false, records: res })
    }
  } finally {
    await producer.disconnect()
  }

  const idem = kafka.producer({ idempotent: true, maxInFlightRequests: 1,
    allowAutoTopicCreation: false })
  await idem.connect()
  try {
    for (let round = 0; round < 3; round++) {
      const compression = round === 1 ? CompressionTypes.GZIP : CompressionTypes.None
      const name = round === 1 ? 'gzip' : 'none'
      const messages = makeMessages(`idem-${round}`, 20, 4)
      const res = await idem.send({ topic, compression, acks: -1, messages })
      out.sent.push(...messages.map(m => ({ ...m, compression: name, idempotent: true })))
      out.results.push({ compression: name, idempotent: true, records: res })
    }
    // acks must be -1 for an idempotent producer: kafkajs refuses others
    // itself, without asking the server.
    out.idempotentAcks1 = await expectError(idem.send({ topic, acks: 1,
      messages: [{ value: 'never sent' }] }))
  } finally {
    await idem.disconnect()
  }
  out.offsets = await admin.fetchTopicOffsets(topic)
  await admin.disconnect()
  return out
}

// ---- 3. consumer groups ------------------------------------------------------------

// A consumer that records everything it is given and every assignment.
function tracked (name, groupId, extra = {}) {
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: 10000,
    rebalanceTimeout: 15000,
    heartbeatInterval: 300,
    maxWaitTimeInMs: 200,
    allowAutoTopicCreation: false,
    retry: { initialRetryTime: 100, retries: 8 },
    ...extra,
  })
  const t = { name, consumer, read: [], assignments: [], crashes: [] }
  consumer.on(consumer.events.GROUP_JOIN, e => {
    t.assignments.push({ memberId: e.payload.memberId, isLeader: e.payload.isLeader,
      protocol: e.payload.groupProtocol, assignment: e.payload.memberAssignment })
  })
  consumer.on(consumer.events.CRASH, e => t.crashes.push(errorJson(e.payload.error)))
  t.current = () => (t.assignments.length ? t.assignments[t.assignments.length - 1] : null)
  return t
}

// Waits until the group has committed `offset` on every partition of topic.
async function waitCommitted (admin, groupId, topic, offset) {
  const what = `${groupId} to commit offset ${offset} on every partition of ${topic}`
  await waitFor(what, async () => {
    const [{ partitions }] = await admin.fetchOffsets({ groupId, topics: [topic] })
    return partitions.every(p => p.offset === String(offset))
  })
}

async function produceAll (producer, topic, messages) {
  // Explicit partitions, one request for all of them.
  await producer.send({ topic, acks: -1, messages })
}

async function scenarioGroups () {
  const admin = kafka.admin()
  await admin.connect()
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  const topic = unique('kjs-grp')
  const group = unique('kjs-g')
  const out = { topic, group, partitions: 4 }
  await createTopic(admin, topic, 4)

  // Phase A: 400 messages, one consumer with eachMessage reads them all, then
  // commits offset 50 of every partition (with metadata) and stops.
  const first = makeMessages('a', 400, 4)
  await produceAll(producer, topic, first)
  out.producedA = first
  const a = tracked('A', group)
  await a.consumer.connect()
  await a.consumer.subscribe({ topic, fromBeginning: true })
  await a.consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic: tp, partition, message }) => {
      a.read.push(messageJson(tp, partition, message))
    },
  })
  await waitFor('consumer A to read 400 messages', () => a.read.length >= 400)
  await sleep(200) // anything extra would arrive now
  await a.consumer.commitOffsets([0, 1, 2, 3].map(p => ({ topic, partition: p, offset: '50',
    metadata: `A was here ${p}` })))
  await a.consumer.disconnect()
  out.readA = a.read
  out.assignmentsA = a.assignments
  out.crashesA = a.crashes
  out.committedA = await admin.fetchOffsets({ groupId: group, topics: [topic] })

  // Phase B: 100 more messages; a new consumer in the same group with
  // eachBatch resumes from offset 50 of every partition.
  const second = makeMessages('b', 100, 4, 400)
  await produceAll(producer, topic, second)
  out.producedB = second
  const b = tracked('B', group)
  const firstBatchOffsets = {}
  await b.consumer.connect()
  await b.consumer.subscribe({ topic, fromBeginning: true })
  await b.consumer.run({
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      if (!(batch.partition in firstBatchOffsets) && batch.messages.length) {
        firstBatchOffsets[batch.partition] = Number(batch.messages[0].offset)
      }
      for (const m of batch.messages) {
        b.read.push(messageJson(batch.topic, batch.partition, m))
        resolveOffset(m.offset)
      }
      await heartbeat()
    },
  })
  // 4 partitions x (100 - 50 + 25) messages.
  await waitFor('consumer B to read 300 messages', () => b.read.length >= 300)
  await waitCommitted(admin, group, topic, 125)
  await sleep(200) // anything extra would arrive now
  await b.consumer.disconnect()
  out.readB = b.read
  out.firstBatchOffsetsB = firstBatchOffsets
  out.crashesB = b.crashes
  out.committedB = await admin.fetchOffsets({ groupId: group, topics: [topic] })

  // Phase C: a fresh group. C1 reads 200 messages alone (auto-commit), C2
  // joins, the partitions are split, 200 more are read by their owners; C2
  // leaves and C1 takes everything back for the last 100.
  const group2 = unique('kjs-g2')
  out.group2 = group2
  const topic2 = unique('kjs-grp2')
  out.topic2 = topic2
  await createTopic(admin, topic2, 4)
  const c1 = tracked('C1', group2)
  const c2 = tracked('C2', group2)
  const eachMessage = t => async ({ topic: tp, partition, message }) => {
    t.read.push({ ...messageJson(tp, partition, message), generation: t.assignments.length })
  }
  const c1Messages = makeMessages('c', 200, 4)
  await produceAll(producer, topic2, c1Messages)
  await c1.consumer.connect()
  await c1.consumer.subscribe({ topic: topic2, fromBeginning: true })
  await c1.consumer.run({ eachMessage: eachMessage(c1) })
  await waitFor('C1 to read the first 200 messages', () => c1.read.length >= 200)
  await waitCommitted(admin, group2, topic2, 50)
  out.c1AloneAssignments = c1.assignments.slice()

  await c2.consumer.connect()
  await c2.consumer.subscribe({ topic: topic2, fromBeginning: true })
  await c2.consumer.run({ eachMessage: eachMessage(c2) })
  const split = () => {
    const x = c1.current()
    const y = c2.current()
    if (!x || !y || c1.assignments.length < 2) return false
    const px = (x.assignment[topic2] || []).slice().sort()
    const py = (y.assignment[topic2] || []).slice().sort()
    return px.length === 2 && py.length === 2 && new Set([...px, ...py]).size === 4
  }
  await waitFor('the group to split the partitions between C1 and C2', split)
  out.splitAssignments = { C1: c1.current(), C2: c2.current() }
  const c2Messages = makeMessages('c', 200, 4, 200)
  await produceAll(producer, topic2, c2Messages)
  await waitFor('C1 and C2 to read the next 200 messages',
    () => c1.read.length + c2.read.length >= 400)
  await waitCommitted(admin, group2, topic2, 100)
  await sleep(200)
  out.readSplitC1 = c1.read.slice()
  out.readSplitC2 = c2.read.slice()

  await c2.consumer.disconnect()
  await waitFor('C1 to get every partition back', () => {
    const x = c1.current()
    return x && (x.assignment[topic2] || []).length === 4 && c1.assignments.length >= 3
  })
  out.afterLeaveAssignment = c1.current()
  const c3Messages = makeMessages('c', 100, 4, 400)
  await produceAll(producer, topic2, c3Messages)
  await waitFor('C1 to read the last 100 messages', () => c1.read.length + c2.read.length >= 500)
  await waitCommitted(admin, group2, topic2, 125)
  await sleep(200)
  await c1.consumer.disconnect()
  out.producedC = [...c1Messages, ...c2Messages, ...c3Messages]
  out.readC1 = c1.read
  out.readC2 = c2.read
  out.assignmentsC1 = c1.assignments
  out.assignmentsC2 = c2.assignments
  out.crashesC = [...c1.crashes, ...c2.crashes]
  out.committedC = await admin.fetchOffsets({ groupId: group2, topics: [topic2] })

  await producer.disconnect()
  await admin.disconnect()
  return out
}

// ---- 4. group administration ---------------------------------------------------------

function describedGroup (g) {
  return {
    groupId: g.groupId,
    errorCode: g.errorCode,
    state: g.state,
    protocolType: g.protocolType,
    protocol: g.protocol,
    members: g.members.map(m => {
      const assignment = m.memberAssignment && m.memberAssignment.length
        ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment) : null
      const metadata = m.memberMetadata && m.memberMetadata.length
        ? AssignerProtocol.MemberMetadata.decode(m.memberMetadata) : null
      return { memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost,
        assignment: assignment && assignment.assignment,
        topics: metadata && metadata.topics }
    }),
  }
}

async function scenarioGroupAdmin () {
  const admin = kafka.admin()
  await admin.connect()
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  const topic = unique('kjs-ga')
  const group = unique('kjs-ga')
  const out = { topic, group, partitions: 3 }
  await createTopic(admin, topic, 3)
  await produceAll(producer, topic, makeMessages('ga', 90, 3))
  await producer.disconnect()

  const readAll = async (name, expect) => {
    const t = tracked(name, group)
    await t.consumer.connect()
    await t.consumer.subscribe({ topic, fromBeginning: true })
    await t.consumer.run({
      eachMessage: async ({ partition, message }) => {
        t.read.push(messageJson(topic, partition, message))
      },
    })
    await waitFor(`${name} to read ${expect} messages`, () => t.read.length >= expect)
    await waitCommitted(admin, group, topic, 30)
    return t
  }

  const first = await readAll('first', 90)
  out.describedRunning = (await admin.describeGroups([group])).groups.map(describedGroup)
  out.listedRunning = (await admin.listGroups()).groups
  out.deleteRunning = await expectError(admin.deleteGroups([group]))
  out.resetRunning = await expectError(admin.resetOffsets({ groupId: group, topic,
    earliest: true }))
  await first.consumer.disconnect()
  out.readFirst = first.read.length
  out.crashes = first.crashes

  out.describedEmpty = (await admin.describeGroups([group])).groups.map(describedGroup)
  out.listedEmpty = (await admin.listGroups()).groups
  out.fetchedCommitted = await admin.fetchOffsets({ groupId: group, topics: [topic] })
  out.fetchedAllTopics = await admin.fetchOffsets({ groupId: group })

  out.reset = await expectError(admin.resetOffsets({ groupId: group, topic, earliest: true }))
  out.fetchedAfterReset = await admin.fetchOffsets({ groupId: group, topics: [topic] })
  out.fetchedResolved = await admin.fetchOffsets({ groupId: group, topics: [topic],
    resolveOffsets: true })
  out.fetchedAfterResolve = await admin.fetchOffsets({ groupId: group, topics: [topic] })

  const again = await readAll('again', 90)
  await sleep(200)
  await again.consumer.disconnect()
  out.readAgain = again.read.length
  out.crashes.push(...again.crashes)

  out.deleted = await expectError(admin.deleteGroups([group]))
  out.listedAfterDelete = (await admin.listGroups()).groups
  out.describedAfterDelete = (await admin.describeGroups([group])).groups.map(describedGroup)
  out.fetchedAfterDelete = await admin.fetchOffsets({ groupId: group, topics: [topic] })
  out.deleteUnknown = await expectError(admin.deleteGroups([unique('kjs-none')]))
  await admin.disconnect()
  return out
}

// ---- 5. offsets by time ------------------------------------------------------------

async function scenarioOffsets () {
  const admin = kafka.admin()
  await admin.connect()
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  const topic = unique('kjs-ts')
  const base = Date.now() - 3600 * 1000
  const out = { topic, partitions: 2, base, perPartition: 20 }
  await createTopic(admin, topic, 2)
  out.empty = await admin.fetchTopicOffsets(topic)
  // Message i of each partition is stamped base + i seconds; sent in four
  // requests so the partitions hold several batches.
  for (let chunk = 0; chunk < 4; chunk++) {
    const messages = []
    for (let i = chunk * 5; i < chunk * 5 + 5; i++) {
      for (const partition of [0, 1]) {
        messages.push({ partition, key: `ts-${partition}-${i}`, value: `${i}`,
          timestamp: String(base + i * 1000) })
      }
    }
    await producer.send({ topic, acks: -1, messages })
  }
  await producer.disconnect()
  out.latest = await admin.fetchTopicOffsets(topic)
  const at = {}
  for (const [name, ts] of [['before', base - 60000], ['exact0', base], ['exact5', base + 5000],
    ['between5and6', base + 5500], ['last', base + 19000], ['after', base + 60000]]) {
    at[name] = await admin.fetchTopicOffsetsByTimestamp(topic, ts)
  }
  out.byTimestamp = at
  await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '7' }] })
  out.afterDeleteRecords = await admin.fetchTopicOffsets(topic)
  out.byTimestampAfterDelete = await admin.fetchTopicOffsetsByTimestamp(topic, base + 2000)
  await admin.disconnect()
  return out
}

const SCENARIOS = {
  admin: scenarioAdmin,
  produce: scenarioProduce,
  groups: scenarioGroups,
  'group-admin': scenarioGroupAdmin,
  offsets: scenarioOffsets,
}

async function main () {
  const run = SCENARIOS[scenario]
  if (!run || !bootstrap) {
    process.stderr.write(`usage: node kgw_e2e.js {${Object.keys(SCENARIOS).join('|')}} host:port\n`)
    process.exit(64)
  }
  const timer = setTimeout(() => {
    process.stdout.write(JSON.stringify({ error: { name: 'Timeout',
      message: `scenario ${scenario} still running after ${TIMEOUT_MS} ms` } }) + '\n',
    () => process.exit(2))
  }, TIMEOUT_MS)
  const started = Date.now()
  try {
    const result = await run()
    result.elapsedMs = Date.now() - started
    result.requests = [...requests].sort()
    clearTimeout(timer)
    // Exit once the report is written: stdout to a pipe is asynchronous.
    process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(0))
  } catch (e) {
    process.stdout.write(JSON.stringify({ error: errorJson(e), stack: e.stack }) + '\n',
      () => process.exit(1))
  }
}

main()
