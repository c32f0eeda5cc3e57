#!/usr/bin/env node
/*
 * Generate golden wire vectors with kafkajs's request encoders.
 *
 * kafkajs only has request encoders (src/protocol/requests/<api>/v<N>/request.js).
 * For every API/version it implements, call the encoder with seeded
 * pseudo-random arguments and write the request BODY (no header, no size
 * prefix) to vectors/kafkajs/<snake_api_name>_v<V>_request.bin.
 *
 * vectors/kafkajs/index.json lists every vector with a few field values
 * ("checks") named after the Apache Kafka JSON message schema.  The mapping
 * from kafkajs arguments to schema field names below was written by reading
 * each encoder; in addition every named value is cross-checked by decoding
 * the produced bytes with a small schema-driven decoder, and values that do
 * not decode as claimed are dropped (with a note).
 *
 * Usage: node gen_kafkajs.js [SPEC_DIR]
 * (SPEC_DIR defaults to $KGW_KAFKA_SPEC_DIR or /work/shared/kafka-spec/3.9.0)
 */
'use strict'

const fs = require('fs')
const path = require('path')

const HERE = __dirname
const SOURCE = 'kafkajs'
const OUT_DIR = path.join(HERE, 'vectors', SOURCE)
const KAFKAJS = path.join(HERE, 'node_modules', 'kafkajs')
const REQ_DIR = path.join(KAFKAJS, 'src', 'protocol', 'requests')
const DEFAULT_SPEC_DIR = '/work/shared/kafka-spec/3.9.0'
const SEED = 'kgw-kafkajs-1'
const MAX_CHECKS = 8

const notes = []
const note = m => notes.push(m)

// --------------------------------------------------------------------------
// Kafka JSON message schemas
// --------------------------------------------------------------------------

function stripJsonComments(text) {
  let out = ''
  let i = 0
  let inStr = false
  while (i < text.length) {
    const c = text[i]
    if (inStr) {
      out += c
      if (c === '\\' && i + 1 < text.length) {
        out += text[i + 1]
        i += 2
        continue
      }
      if (c === '"') inStr = false
      i++
    } else if (c === '"') {
      inStr = true
      out += c
      i++
    } else if (text.startsWith('//', i)) {
      const j = text.indexOf('\n', i)
      i = j < 0 ? text.length : j
    } else if (text.startsWith('/*', i)) {
      const j = text.indexOf('*/', i + 2)
      if (j < 0) throw new Error('unterminated /* comment')
      i = j + 2
    } else {
      out += c
      i++
    }
  }
  return out
}

function inVersions(s, v) {
  s = (s || 'none').trim()
  if (s === 'none') return false
  if (s.endsWith('+')) return v >= parseInt(s, 10)
  const m = s.split('-')
  if (m.length === 2) return v >= parseInt(m[0], 10) && v <= parseInt(m[1], 10)
  return v === parseInt(s, 10)
}

function loadSpec(dir) {
  const msgs = new Map()
  for (const fn of fs.readdirSync(dir).sort()) {
    if (!fn.endsWith('.json')) continue
    const d = JSON.parse(stripJsonComments(fs.readFileSync(path.join(dir, fn), 'utf8')))
    if ((d.type !== 'request' && d.type !== 'response') || d.apiKey === undefined) continue
    d._common = {}
    for (const s of d.commonStructs || []) d._common[s.name] = s
    msgs.set(`${d.apiKey}:${d.type}`, d)
  }
  return msgs
}

const PRIMS = new Set([
  'int8', 'int16', 'int32', 'int64', 'uint16', 'uint32', 'float64',
  'bool', 'string', 'bytes', 'records', 'uuid',
])
const lowerCamel = n => n[0].toLowerCase() + n.slice(1)
const snake = n => n.replace(/(?<!^)(?=[A-Z])/g, '_').toLowerCase()
const presentFields = (fields, v) =>
  fields.filter(f => inVersions(f.versions, v) && f.tag === undefined)

function structFieldsOf(f, msg) {
  const elem = f.type.startsWith('[]') ? f.type.slice(2) : f.type
  if (PRIMS.has(elem)) return null
  if (f.fields) return f.fields
  if (msg._common[elem]) return msg._common[elem].fields
  throw new Error(`unknown struct type ${elem}`)
}

// --------------------------------------------------------------------------
// Schema-driven decoder, used only to cross-check the named values
// --------------------------------------------------------------------------

class Reader {
  constructor(buf) {
    this.buf = buf
    this.off = 0
  }
  need(n) {
    if (this.off + n > this.buf.length) throw new Error(`short buffer at ${this.off} (+${n})`)
  }
  i8() { this.need(1); const x = this.buf.readInt8(this.off); this.off += 1; return x }
  i16() { this.need(2); const x = this.buf.readInt16BE(this.off); this.off += 2; return x }
  u16() { this.need(2); const x = this.buf.readUInt16BE(this.off); this.off += 2; return x }
  i32() { this.need(4); const x = this.buf.readInt32BE(this.off); this.off += 4; return x }
  u32() { this.need(4); const x = this.buf.readUInt32BE(this.off); this.off += 4; return x }
  i64() { this.need(8); const x = this.buf.readBigInt64BE(this.off); this.off += 8; return x }
  f64() { this.need(8); const x = this.buf.readDoubleBE(this.off); this.off += 8; return x }
  uvarint() {
    let x = 0
    let shift = 0
    for (;;) {
      this.need(1)
      const b = this.buf[this.off++]
      x += (b & 0x7f) * 2 ** shift
      if (!(b & 0x80)) return x
      shift += 7
      if (shift > 35) throw new Error('uvarint too long')
    }
  }
  raw(n) { this.need(n); const x = this.buf.subarray(this.off, this.off + n); this.off += n; return x }
}

function decodeBody(msg, v, buf) {
  const flex = inVersions(msg.flexibleVersions, v)
  const r = new Reader(buf)
  const leaves = new Map()
  const len = kind => {
    // length of string (16-bit), bytes/array (32-bit); -1 = null
    if (flex) return r.uvarint() - 1
    return kind === 'string' ? r.i16() : r.i32()
  }
  const prim = (t, p) => {
    switch (t) {
      case 'int8': return r.i8()
      case 'int16': return r.i16()
      case 'uint16': return r.u16()
      case 'int32': return r.i32()
      case 'uint32': return r.u32()
      case 'int64': return r.i64()
      case 'float64': return r.f64()
      case 'bool': {
        const b = r.i8()
        if (b !== 0 && b !== 1) throw new Error(`${p}: bool byte ${b}`)
        return b === 1
      }
      case 'uuid': r.raw(16); return undefined
      case 'string': {
        const n = len('string')
        return n < 0 ? null : r.raw(n).toString('utf8')
      }
      case 'bytes':
      case 'records': {
        const n = len('bytes')
        if (n >= 0) r.raw(n)
        return undefined
      }
    }
    throw new Error(`unknown type ${t}`)
  }
  const tags = () => {
    if (!flex) return
    const n = r.uvarint()
    for (let i = 0; i < n; i++) {
      r.uvarint()
      r.raw(r.uvarint())
    }
  }
  const struct = (fields, prefix) => {
    for (const f of presentFields(fields, v)) {
      const p = (prefix ? prefix + '.' : '') + lowerCamel(f.name)
      const sub = structFieldsOf(f, msg)
      if (f.type.startsWith('[]')) {
        const n = len('array')
        if (n < 0) {
          if (!inVersions(f.nullableVersions, v)) throw new Error(`${p}: null non-nullable array`)
          leaves.set(p, null)
          continue
        }
        for (let i = 0; i < n; i++) {
          const ip = `${p}[${i}]`
          if (sub) struct(sub, ip)
          else {
            const x = prim(f.type.slice(2), ip)
            if (x !== undefined) leaves.set(ip, x)
          }
        }
      } else if (sub) {
        struct(sub, p)
      } else {
        const x = prim(f.type, p)
        if (x === null && !inVersions(f.nullableVersions, v)) throw new Error(`${p}: null non-nullable`)
        if (x !== undefined) leaves.set(p, x)
      }
    }
    tags()
  }
  struct(msg.fields, '')
  if (r.off !== buf.length) throw new Error(`${buf.length - r.off} trailing bytes`)
  return leaves
}

// --------------------------------------------------------------------------
// Deterministic random values
// --------------------------------------------------------------------------

function fnv1a(s) {
  let h = 0x811c9dc5
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}

const WORDS = [
  'orders', 'payments', 'clicks', 'audit-log', 'metrics', 'inventory',
  'user.events', 'billing_v2', 'tx-coord', 'consumer-grp', 'rack-a',
  'broker.example.org', 'PLAIN', 'SCRAM-SHA-512', 'cleanup.policy',
  'retention.ms', 'compact', 'range', 'roundrobin', 'sticky',
]
const UNI = ['\u00e9t\u00e9', '\u65e5\u672c', '\u00fcber', '\u0436\u0443\u0440\u043d\u0430\u043b', 'caf\u00e9\u2615']

class Rand {
  constructor(seedStr) {
    this.s = fnv1a(seedStr)
  }
  // mulberry32
  u32() {
    this.s = (this.s + 0x6d2b79f5) >>> 0
    let t = this.s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
  random() { return this.u32() / 4294967296 }
  int(lo, hi) { return lo + Math.floor(this.random() * (hi - lo + 1)) }
  pick(a) { return a[this.int(0, a.length - 1)] }
  bool() { return this.random() < 0.5 }
  intBits(bits) {
    const lo = -(2 ** (bits - 1))
    const hi = 2 ** (bits - 1) - 1
    const r = this.random()
    if (r < 0.15) return this.pick([lo, hi, -1, 0])
    if (r < 0.4) return -this.int(1, Math.min(hi, 100000))
    if (r < 0.65) return this.int(0, Math.min(hi, 1000))
    return this.int(lo, hi)
  }
  i8() { return this.intBits(8) }
  i16() { return this.intBits(16) }
  i32() { return this.intBits(32) }
  i64() {
    const r = this.random()
    if (r < 0.15) return this.pick([-(2n ** 63n), 2n ** 63n - 1n, -1n, 0n])
    if (r < 0.4) return -BigInt(this.int(1, 100000))
    if (r < 0.65) return BigInt(this.int(0, 1000))
    return BigInt.asIntN(64, (BigInt(this.u32()) << 32n) | BigInt(this.u32()))
  }
  str() {
    const r = this.random()
    if (r < 0.15) return `${this.pick(UNI)}-${this.int(0, 99)}`
    let s = this.pick(WORDS)
    if (r < 0.6) s += `-${this.int(0, 9999)}`
    return s
  }
  nstr(p = 0.35) { return this.random() < p ? null : this.str() }
  bytes() { return Buffer.from(Array.from({ length: this.int(1, 12) }, () => this.u32() & 0xff)) }
  arr(fn, lo = 2, hi = 3) { return Array.from({ length: this.int(lo, hi) }, (_, i) => fn(i)) }
}

// --------------------------------------------------------------------------
// Per-API argument builders.  Each returns { args, view }: args are passed to
// kafkajs's request(), view holds the same values under the schema's field
// names (bytes/records fields omitted) as read from the encoder source.
// --------------------------------------------------------------------------

const kjs = p => require(path.join(KAFKAJS, 'src', p))
const TS0 = 1700000000000 // all timestamps have 13 digits (kafkajs sorts them as strings)

const BUILDERS = {
  produce(v, R) {
    const acks = R.i16()
    const timeout = R.i32()
    const transactionalId = R.nstr(0.5)
    const producerId = R.i64()
    const producerEpoch = R.i16()
    const ts = TS0 + R.int(0, 1e9)
    const topicData = R.arr(() => ({
      topic: R.str(),
      partitions: R.arr(() => ({
        partition: R.i32(),
        firstSequence: R.int(0, 1e6),
        messages: R.arr(
          k => ({
            key: k === 0 ? null : R.str(),
            value: R.bytes(),
            timestamp: ts + k,
            headers: v >= 3 && k > 0 ? { [R.str()]: R.str() } : undefined,
          }),
          1,
          3
        ),
      })),
    }))
    const args = { acks, timeout, topicData }
    if (v >= 3) Object.assign(args, { transactionalId, producerId, producerEpoch })
    const view = {}
    if (v >= 3) view.transactionalId = transactionalId
    Object.assign(view, {
      acks,
      timeoutMs: timeout,
      topicData: topicData.map(t => ({
        name: t.topic,
        partitionData: t.partitions.map(p => ({ index: p.partition })),
      })),
    })
    return { args, view }
  },

  fetch(v, R) {
    const a = {
      replicaId: R.i32(),
      maxWaitTime: R.i32(),
      minBytes: R.i32(),
      maxBytes: R.i32(),
      isolationLevel: R.pick([0, 1, R.i8()]),
      sessionId: R.i32(),
      sessionEpoch: R.i32(),
      rackId: R.str(),
      topics: R.arr(() => ({
        topic: R.str(),
        partitions: R.arr(() => ({
          partition: R.i32(),
          currentLeaderEpoch: R.i32(),
          fetchOffset: R.i64(),
          logStartOffset: R.i64(),
          maxBytes: R.i32(),
        })),
      })),
      forgottenTopics: R.arr(() => ({ topic: R.str(), partitions: R.arr(() => R.i32(), 1, 3) })),
    }
    const view = { replicaId: a.replicaId, maxWaitMs: a.maxWaitTime, minBytes: a.minBytes }
    if (v >= 3) view.maxBytes = a.maxBytes
    if (v >= 4) view.isolationLevel = a.isolationLevel
    if (v >= 7) Object.assign(view, { sessionId: a.sessionId, sessionEpoch: a.sessionEpoch })
    view.topics = a.topics.map(t => ({
      topic: t.topic,
      partitions: t.partitions.map(p => {
        const o = { partition: p.partition }
        if (v >= 9) o.currentLeaderEpoch = p.currentLeaderEpoch
        o.fetchOffset = p.fetchOffset
        if (v >= 5) o.logStartOffset = p.logStartOffset
        o.partitionMaxBytes = p.maxBytes
        return o
      }),
    }))
    if (v >= 7) view.forgottenTopicsData = a.forgottenTopics.map(t => ({ topic: t.topic, partitions: t.partitions }))
    if (v >= 11) view.rackId = a.rackId
    return { args: a, view }
  },

  listOffsets(v, R) {
    const a = {
      replicaId: R.i32(),
      isolationLevel: R.pick([0, 1]),
      topics: R.arr(() => ({
        topic: R.str(),
        partitions: R.arr(() => ({ partition: R.i32(), timestamp: R.i64(), maxNumOffsets: R.i32() })),
      })),
    }
    const view = { replicaId: a.replicaId }
    if (v >= 2) view.isolationLevel = a.isolationLevel
    view.topics = a.topics.map(t => ({
      name: t.topic,
      partitions: t.partitions.map(p => {
        const o = { partitionIndex: p.partition, timestamp: p.timestamp }
        if (v === 0) o.maxNumOffsets = p.maxNumOffsets
        return o
      }),
    }))
    return { args: a, view }
  },

  metadata(v, R) {
    // v1+ uses writeNullableArray: an empty list is sent as null.
    const topics = v >= 1 && R.random() < 0.3 ? [] : R.arr(() => R.str())
    const allowAutoTopicCreation = R.bool()
    const view = { topics: v >= 1 && topics.length === 0 ? null : topics.map(name => ({ name })) }
    if (v >= 4) view.allowAutoTopicCreation = allowAutoTopicCreation
    return { args: { topics, allowAutoTopicCreation }, view }
  },

  offsetCommit(v, R) {
    const a = {
      groupId: R.str(),
      groupGenerationId: R.i32(),
      memberId: R.str(),
      retentionTime: R.i64(),
      topics: R.arr(() => ({
        topic: R.str(),
        partitions: R.arr(() => ({
          partition: R.i32(),
          offset: R.i64(),
          timestamp: R.i64(),
          metadata: R.nstr(),
        })),
      })),
    }
    const view = { groupId: a.groupId }
    if (v >= 1) Object.assign(view, { generationIdOrMemberEpoch: a.groupGenerationId, memberId: a.memberId })
    if (v >= 2 && v <= 4) view.retentionTimeMs = a.retentionTime
    view.topics = a.topics.map(t => ({
      name: t.topic,
      partitions: t.partitions.map(p => {
        const o = { partitionIndex: p.partition, committedOffset: p.offset }
        if (v === 1) o.commitTimestamp = p.timestamp
        o.committedMetadata = p.metadata
        return o
      }),
    }))
    return { args: a, view }
  },

  offsetFetch(v, R) {
    // v3+ uses writeNullableArray: an empty list is sent as null.
    const topics =
      v >= 3 && R.random() < 0.3
        ? []
        : R.arr(() => ({ topic: R.str(), partitions: R.arr(() => ({ partition: R.i32() })) }))
    const groupId = R.str()
    const view = {
      groupId,
      topics:
        v >= 3 && topics.length === 0
          ? null
          : topics.map(t => ({ name: t.topic, partitionIndexes: t.partitions.map(p => p.partition) })),
    }
    return { args: { groupId, topics }, view }
  },

  findCoordinator(v, R) {
    const key = R.str()
    const type = R.pick([0, 1, R.i8()])
    if (v === 0) return { args: { groupId: key }, view: { key } }
    return { args: { coordinatorKey: key, coordinatorType: type }, view: { key, keyType: type } }
  },

  joinGroup(v, R) {
    const a = {
      groupId: R.str(),
      sessionTimeout: R.i32(),
      rebalanceTimeout: R.i32(),
      memberId: R.str(),
      groupInstanceId: R.nstr(0.5),
      protocolType: R.str(),
      groupProtocols: R.arr(() => ({ name: R.str(), metadata: R.bytes() })),
    }
    const view = { groupId: a.groupId, sessionTimeoutMs: a.sessionTimeout }
    if (v >= 1) view.rebalanceTimeoutMs = a.rebalanceTimeout
    view.memberId = a.memberId
    if (v >= 5) view.groupInstanceId = a.groupInstanceId
    view.protocolType = a.protocolType
    view.protocols = a.groupProtocols.map(p => ({ name: p.name }))
    return { args: a, view }
  },

  heartbeat(v, R) {
    const a = { groupId: R.str(), groupGenerationId: R.i32(), memberId: R.str(), groupInstanceId: R.nstr(0.5) }
    const view = { groupId: a.groupId, generationId: a.groupGenerationId, memberId: a.memberId }
    if (v >= 3) view.groupInstanceId = a.groupInstanceId
    return { args: a, view }
  },

  leaveGroup(v, R) {
    const groupId = R.str()
    if (v <= 2) {
      const memberId = R.str()
      return { args: { groupId, memberId }, view: { groupId, memberId } }
    }
    const members = R.arr(() => ({ memberId: R.str(), groupInstanceId: R.nstr(0.5) }))
    return { args: { groupId, members }, view: { groupId, members } }
  },

  syncGroup(v, R) {
    const a = {
      groupId: R.str(),
      generationId: R.i32(),
      memberId: R.str(),
      groupInstanceId: R.nstr(0.5),
      groupAssignment: R.arr(() => ({ memberId: R.str(), memberAssignment: R.bytes() })),
    }
    const view = { groupId: a.groupId, generationId: a.generationId, memberId: a.memberId }
    if (v >= 3) view.groupInstanceId = a.groupInstanceId
    view.assignments = a.groupAssignment.map(x => ({ memberId: x.memberId }))
    return { args: a, view }
  },

  describeGroups(v, R) {
    const groupIds = R.arr(() => R.str())
    return { args: { groupIds }, view: { groups: groupIds } }
  },

  listGroups() {
    return { args: undefined, view: {} }
  },

  saslHandshake(v, R) {
    const mechanism = R.pick(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER', 'AWS_MSK_IAM'])
    return { args: { mechanism }, view: { mechanism } }
  },

  apiVersions() {
    return { args: undefined, view: {} }
  },

  createTopics(v, R) {
    const a = {
      timeout: R.i32(),
      validateOnly: R.bool(),
      topics: R.arr(() => ({
        topic: R.str(),
        numPartitions: R.i32(),
        replicationFactor: R.i16(),
        replicaAssignment: R.arr(() => ({ partition: R.i32(), replicas: R.arr(() => R.i32(), 1, 3) })),
        configEntries: R.arr(() => ({ name: R.str(), value: R.nstr() })),
      })),
    }
    const view = {
      topics: a.topics.map(t => ({
        name: t.topic,
        numPartitions: t.numPartitions,
        replicationFactor: t.replicationFactor,
        assignments: t.replicaAssignment.map(x => ({ partitionIndex: x.partition, brokerIds: x.replicas })),
        configs: t.configEntries.map(c => ({ name: c.name, value: c.value })),
      })),
      timeoutMs: a.timeout,
    }
    if (v >= 1) view.validateOnly = a.validateOnly
    return { args: a, view }
  },

  deleteTopics(v, R) {
    const topics = R.arr(() => R.str())
    const timeout = R.i32()
    return { args: { topics, timeout }, view: { topicNames: topics, timeoutMs: timeout } }
  },

  deleteRecords(v, R) {
    const topics = R.arr(() => ({
      topic: R.str(),
      partitions: R.arr(() => ({ partition: R.i32(), offset: R.i64() })),
    }))
    const timeout = R.i32()
    const view = {
      topics: topics.map(t => ({
        name: t.topic,
        partitions: t.partitions.map(p => ({ partitionIndex: p.partition, offset: p.offset })),
      })),
      timeoutMs: timeout,
    }
    return { args: { topics, timeout }, view }
  },

  initProducerId(v, R) {
    const transactionalId = R.nstr(0.5)
    const transactionTimeout = R.i32()
    return {
      args: { transactionalId, transactionTimeout },
      view: { transactionalId, transactionTimeoutMs: transactionTimeout },
    }
  },

  addPartitionsToTxn(v, R) {
    const a = {
      transactionalId: R.str(),
      producerId: R.i64(),
      producerEpoch: R.i16(),
      topics: R.arr(() => ({ topic: R.str(), partitions: R.arr(() => R.i32()) })),
    }
    const view = {
      v3AndBelowTransactionalId: a.transactionalId,
      v3AndBelowProducerId: a.producerId,
      v3AndBelowProducerEpoch: a.producerEpoch,
      v3AndBelowTopics: a.topics.map(t => ({ name: t.topic, partitions: t.partitions })),
    }
    return { args: a, view }
  },

  addOffsetsToTxn(v, R) {
    const a = { transactionalId: R.str(), producerId: R.i64(), producerEpoch: R.i16(), groupId: R.str() }
    return { args: a, view: { ...a } }
  },

  endTxn(v, R) {
    const a = { transactionalId: R.str(), producerId: R.i64(), producerEpoch: R.i16(), transactionResult: R.bool() }
    const view = {
      transactionalId: a.transactionalId,
      producerId: a.producerId,
      producerEpoch: a.producerEpoch,
      committed: a.transactionResult,
    }
    return { args: a, view }
  },

  txnOffsetCommit(v, R) {
    const a = {
      transactionalId: R.str(),
      groupId: R.str(),
      producerId: R.i64(),
      producerEpoch: R.i16(),
      topics: R.arr(() => ({
        topic: R.str(),
        partitions: R.arr(() => ({ partition: R.i32(), offset: R.i64(), metadata: R.nstr() })),
      })),
    }
    const view = {
      transactionalId: a.transactionalId,
      groupId: a.groupId,
      producerId: a.producerId,
      producerEpoch: a.producerEpoch,
      topics: a.topics.map(t => ({
        name: t.topic,
        partitions: t.partitions.map(p => ({
          partitionIndex: p.partition,
          committedOffset: p.offset,
          committedMetadata: p.metadata,
        })),
      })),
    }
    return { args: a, view }
  },

  describeAcls(v, R) {
    const a = {
      resourceType: R.i8(),
      resourceName: R.nstr(),
      resourcePatternType: R.i8(),
      principal: R.nstr(),
      host: R.nstr(),
      operation: R.i8(),
      permissionType: R.i8(),
    }
    const view = { resourceTypeFilter: a.resourceType, resourceNameFilter: a.resourceName }
    if (v >= 1) view.patternTypeFilter = a.resourcePatternType
    Object.assign(view, {
      principalFilter: a.principal,
      hostFilter: a.host,
      operation: a.operation,
      permissionType: a.permissionType,
    })
    return { args: a, view }
  },

  createAcls(v, R) {
    const creations = R.arr(() => ({
      resourceType: R.i8(),
      resourceName: R.str(),
      resourcePatternType: R.i8(),
      principal: R.str(),
      host: R.str(),
      operation: R.i8(),
      permissionType: R.i8(),
    }))
    const view = {
      creations: creations.map(c => {
        const o = { resourceType: c.resourceType, resourceName: c.resourceName }
        if (v >= 1) o.resourcePatternType = c.resourcePatternType
        return Object.assign(o, {
          principal: c.principal,
          host: c.host,
          operation: c.operation,
          permissionType: c.permissionType,
        })
      }),
    }
    return { args: { creations }, view }
  },

  deleteAcls(v, R) {
    const filters = R.arr(() => ({
      resourceType: R.i8(),
      resourceName: R.nstr(),
      resourcePatternType: R.i8(),
      principal: R.nstr(),
      host: R.nstr(),
      operation: R.i8(),
      permissionType: R.i8(),
    }))
    const view = {
      filters: filters.map(c => {
        const o = { resourceTypeFilter: c.resourceType, resourceNameFilter: c.resourceName }
        if (v >= 1) o.patternTypeFilter = c.resourcePatternType
        return Object.assign(o, {
          principalFilter: c.principal,
          hostFilter: c.host,
          operation: c.operation,
          permissionType: c.permissionType,
        })
      }),
    }
    return { args: { filters }, view }
  },

  describeConfigs(v, R) {
    // configNames uses writeNullableArray: an empty list is sent as null.
    const resources = R.arr(() => ({
      type: R.i8(),
      name: R.str(),
      configNames: R.random() < 0.3 ? [] : R.arr(() => R.str()),
    }))
    const includeSynonyms = R.bool()
    const view = {
      resources: resources.map(x => ({
        resourceType: x.type,
        resourceName: x.name,
        configurationKeys: x.configNames.length === 0 ? null : x.configNames,
      })),
    }
    if (v >= 1) view.includeSynonyms = includeSynonyms
    return { args: { resources, includeSynonyms }, view }
  },

  alterConfigs(v, R) {
    const resources = R.arr(() => ({
      type: R.i8(),
      name: R.str(),
      configEntries: R.arr(() => ({ name: R.str(), value: R.nstr() })),
    }))
    const validateOnly = R.bool()
    const view = {
      resources: resources.map(x => ({
        resourceType: x.type,
        resourceName: x.name,
        configs: x.configEntries.map(c => ({ name: c.name, value: c.value })),
      })),
      validateOnly,
    }
    return { args: { resources, validateOnly }, view }
  },

  async saslAuthenticate(v, R) {
    // The encoder writes authBytes verbatim; kafkajs's SASL mechanisms hand
    // it an already length-prefixed buffer.  Use its PLAIN mechanism.
    const plain = kjs('protocol/sasl/plain/request')
    const authBytes = await plain({ authorizationIdentity: null, username: R.str(), password: R.str() }).encode()
    return { args: { authBytes }, view: {} }
  },

  createPartitions(v, R) {
    // assignments uses writeNullableArray: an empty list is sent as null.
    const topicPartitions = R.arr(() => ({
      topic: R.str(),
      count: R.i32(),
      assignments: R.random() < 0.3 ? [] : R.arr(() => R.arr(() => R.i32(), 1, 3)),
    }))
    const timeout = R.i32()
    const validateOnly = R.bool()
    const view = {
      topics: topicPartitions.map(t => ({
        name: t.topic,
        count: t.count,
        assignments: t.assignments.length === 0 ? null : t.assignments.map(ids => ({ brokerIds: ids })),
      })),
      timeoutMs: timeout,
      validateOnly,
    }
    return { args: { topicPartitions, timeout, validateOnly }, view }
  },

  deleteGroups(v, R) {
    const groupIds = R.arr(() => R.str())
    return { args: groupIds, view: { groupsNames: groupIds } }
  },

  alterPartitionReassignments(v, R) {
    const timeout = R.i32()
    const topics = R.arr(() => ({
      topic: R.str(),
      partitionAssignment: R.arr(() => ({ partition: R.i32(), replicas: R.arr(() => R.i32(), 1, 3) })),
    }))
    const view = {
      timeoutMs: timeout,
      topics: topics.map(t => ({
        name: t.topic,
        partitions: t.partitionAssignment.map(p => ({ partitionIndex: p.partition, replicas: p.replicas })),
      })),
    }
    return { args: { topics, timeout }, view }
  },

  listPartitionReassignments(v, R) {
    const timeout = R.i32()
    const topics = R.random() < 0.3 ? null : R.arr(() => ({ topic: R.str(), partitions: R.arr(() => R.i32()) }))
    const view = {
      timeoutMs: timeout,
      topics: topics === null ? null : topics.map(t => ({ name: t.topic, partitionIndexes: t.partitions })),
    }
    return { args: { topics, timeout }, view }
  },
}

// kafkajs encoders of flexible versions write the request header's (empty)
// tagged-field section as the first byte of the body they return, because
// kafkajs always sends request header v1.  Those bytes belong to the header.
const HEADER_TAGS_IN_BODY = new Set(['alterPartitionReassignments', 'listPartitionReassignments'])

// --------------------------------------------------------------------------

function flatten(view, prefix = '', out = []) {
  for (const [k, x] of Object.entries(view)) {
    const p = prefix ? `${prefix}.${k}` : k
    if (x === null) out.push([p, null, 0])
    else if (Array.isArray(x)) {
      x.forEach((e, i) => {
        const ip = `${p}[${i}]`
        if (e !== null && typeof e === 'object') flatten(e, ip, out)
        else out.push([ip, e, 0])
      })
    } else if (typeof x === 'object') flatten(x, p, out)
    else out.push([p, x, 0])
  }
  for (const item of out) item[2] = (item[0].match(/\[/g) || []).length
  return out
}

function pickChecks(R, items) {
  let chosen
  if (items.length <= MAX_CHECKS) chosen = items.map((_, i) => i)
  else {
    const idx = items.map((_, i) => i)
    const nulls = idx.filter(i => items[i][1] === null).slice(0, 2)
    const maxd = Math.max(...items.map(it => it[2]))
    const deep = idx.filter(i => items[i][2] === maxd && !nulls.includes(i))
    const top = idx.filter(i => items[i][2] === 0 && !nulls.includes(i))
    chosen = [...nulls]
    if (deep.length) chosen.push(R.pick(deep))
    const topPick = []
    const topPool = [...top]
    while (topPick.length < 2 && topPool.length) topPick.push(topPool.splice(R.int(0, topPool.length - 1), 1)[0])
    for (const i of topPick) if (!chosen.includes(i)) chosen.push(i)
    const rest = idx.filter(i => !chosen.includes(i))
    while (chosen.length < MAX_CHECKS) chosen.push(rest.splice(R.int(0, rest.length - 1), 1)[0])
    chosen.sort((a, b) => a - b)
  }
  const checks = {}
  for (const i of chosen) checks[items[i][0]] = items[i][1]
  return checks
}

function same(a, b) {
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    return (typeof a === 'bigint' || typeof a === 'number') &&
      (typeof b === 'bigint' || typeof b === 'number') && BigInt(a) === BigInt(b)
  }
  return a === b
}

// JSON with exact int64 values.
function toJson(value) {
  const marks = []
  const s = JSON.stringify(
    value,
    (k, x) => {
      if (typeof x === 'bigint') {
        marks.push(x.toString())
        return `\u0000BIG${marks.length - 1}\u0000`
      }
      return x
    },
    1
  )
  return s.replace(/"\\u0000BIG(\d+)\\u0000"/g, (_, i) => marks[Number(i)])
}

async function main() {
  const specDir = process.argv[2] || process.env.KGW_KAFKA_SPEC_DIR || DEFAULT_SPEC_DIR
  const spec = loadSpec(specDir)
  const kafkajsVersion = require(path.join(KAFKAJS, 'package.json')).version

  const jobs = []
  for (const dir of fs.readdirSync(REQ_DIR).sort()) {
    const d = path.join(REQ_DIR, dir)
    if (!fs.statSync(d).isDirectory()) continue
    for (const vd of fs.readdirSync(d)) {
      const m = /^v(\d+)$/.exec(vd)
      if (m && fs.existsSync(path.join(d, vd, 'request.js'))) jobs.push({ dir, v: Number(m[1]) })
    }
  }

  fs.rmSync(OUT_DIR, { recursive: true, force: true })
  fs.mkdirSync(OUT_DIR, { recursive: true })

  const entries = []
  for (const { dir, v } of jobs) {
    const builder = BUILDERS[dir]
    if (!builder) {
      note(`${dir} v${v}: no argument builder for this kafkajs API; skipped`)
      continue
    }
    const request = require(path.join(REQ_DIR, dir, `v${v}`, 'request.js'))
    const R = new Rand(`${SEED}:${dir}:${v}`)
    const { args, view } = await builder(v, R)
    const req = request(args)
    if (req.apiVersion !== v) note(`${dir} v${v}: encoder reports apiVersion ${req.apiVersion}`)
    const apiKey = req.apiKey
    const msg = spec.get(`${apiKey}:request`)
    if (!msg) {
      note(`${dir} v${v}: no spec request for apiKey ${apiKey}; skipped`)
      continue
    }
    const api = msg.name.replace(/Request$/, '')
    const label = `${dir} v${v} (${api})`
    let body = (await req.encode()).buffer
    if (HEADER_TAGS_IN_BODY.has(dir)) {
      if (body[0] !== 0) throw new Error(`${label}: expected a leading empty header tag section`)
      body = body.subarray(1)
      note(`${label}: kafkajs's encode() output starts with the request header's empty tagged-field byte (0x00); stripped to keep the body only`)
    }
    if (!inVersions(msg.validVersions, v)) note(`${label}: v${v} outside spec validVersions ${msg.validVersions}`)

    // Cross-check every named value against a schema-driven decode.
    let items = flatten(view)
    let decoded = null
    try {
      decoded = decodeBody(msg, v, body)
    } catch (e) {
      note(`${label}: body does not decode per spec v${v} (${e.message}); no checks`)
      items = []
    }
    if (decoded) {
      const ok = []
      for (const it of items) {
        if (decoded.has(it[0]) && same(decoded.get(it[0]), it[1])) ok.push(it)
        else note(`${label}: ${it[0]} = ${it[1]} not confirmed by decode (got ${decoded.get(it[0])}); dropped`)
      }
      const named = new Set(items.map(it => it[0]))
      for (const k of decoded.keys()) if (!named.has(k)) note(`${label}: decoded ${k} has no named counterpart`)
      items = ok
    }

    const fname = `${snake(api)}_v${v}_request.bin`
    fs.writeFileSync(path.join(OUT_DIR, fname), body)
    entries.push({ file: fname, apiKey, apiVersion: v, kind: 'request', checks: pickChecks(R, items) })
  }

  entries.sort((a, b) => a.apiKey - b.apiKey || a.apiVersion - b.apiVersion)
  fs.writeFileSync(path.join(OUT_DIR, 'index.json'), toJson(entries) + '\n')

  console.log(`kafkajs ${kafkajsVersion}: wrote ${entries.length} request vectors to ${path.relative(process.cwd(), OUT_DIR)}`)
  for (const n of notes) console.log(`note: ${n}`)
}

if (require.main === module) {
  main().catch(e => {
    console.error(e)
    process.exit(1)
  })
} else {
  module.exports = { loadSpec, decodeBody, inVersions }
}
