'use strict';
// The QazBus query wire, written from README.md alone: header names, the request hash, the answer id.
// Nothing here comes from QazBus code; a Java or Python team writes the same few functions.

const crypto = require('node:crypto');

const QUERY = 'mju.population.citizen-by-iin';
const QUERY_SCHEMA = `urn:qazbus:contract:${QUERY}:v1`;
const QUERY_EXCHANGE = `${QUERY}.v1`; // a contract's exchange is {name}.v{major}
const CARD = 'mju.population.citizen-card';
const CARD_SCHEMA = `urn:qazbus:contract:${CARD}:v1`;
const REJECTED = 'qazbus.queries.rejected';
const REJECTED_SCHEMA = `urn:qazbus:contract:${REJECTED}:v1`;
const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

const H = Object.freeze({
  specversion: 'cloudEvents:specversion',
  id: 'cloudEvents:id',
  source: 'cloudEvents:source',
  type: 'cloudEvents:type',
  time: 'cloudEvents:time',
  dataschema: 'cloudEvents:dataschema',
  traceparent: 'traceparent',
  deadline: 'qazbus-deadline',
  status: 'qazbus-query-status',
  query: 'qazbus-query',
  requestHash: 'qazbus-request-hash',
});

const STATUSES = ['ok', 'no-data', 'access-denied', 'invalid-request', 'failure', 'expired'];

const SYSTEM_ID = /^[a-z0-9-]+\.[a-z0-9-]+$/;
// RFC 3339 with a zone; Date.parse alone would also take "Dec 3 2026".
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The agency of a system id or contract name: the text before the first dot. */
function agencyOf(name) {
  const dot = name.indexOf('.');
  return dot < 0 ? name : name.slice(0, dot);
}

/**
 * A header as text. RabbitMQ clients send CloudEvents attributes as AMQP strings; amqplib hands those over as
 * strings and byte arrays as Buffers. Anything else (a number, a table) is not an attribute: undefined, so the
 * caller reports the header as missing or wrong instead of hashing "[object Object]".
 */
function headerText(headers, name) {
  const value = headers ? headers[name] : undefined;
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}

/** A time as QazBus writes it in headers: RFC 3339, UTC. */
function rfc3339(date) {
  return date.toISOString();
}

/** Milliseconds since the epoch of an RFC 3339 text, or NaN. */
function parseTime(text) {
  return typeof text === 'string' && RFC3339.test(text) ? Date.parse(text) : NaN;
}

/**
 * The request hash every answer carries in qazbus-request-hash: base64 of SHA-512 over the UTF-8 bytes of
 * "qazbus-request-v1\n{id}\n{source}\n{dataschema}\n{time}\n{deadline}\n" followed by the request body's bytes.
 * Each value is the header text exactly as the request carried it (an absent header counts as ""), never re-formatted:
 * a time re-printed with other digits would give another hash.
 */
function requestHash({ id, source, dataschema, time, deadline }, body) {
  const sha = crypto.createHash('sha512');
  sha.update(`qazbus-request-v1\n${id ?? ''}\n${source ?? ''}\n${dataschema ?? ''}\n${time ?? ''}\n${deadline ?? ''}\n`, 'utf8');
  sha.update(body);
  return sha.digest('base64');
}

/**
 * The answer's id, derived from the request id as the .NET SDK does (a UUID v8 from SHA-256 of
 * "qazbus-answer\n{requestId}"): a request delivered twice is answered twice with one id, so a requester's inbox keeps
 * one effect. Any unique id is valid on the wire; this one is merely idempotent.
 */
function answerId(requestId) {
  const bytes = crypto.createHash('sha256').update(`qazbus-answer\n${requestId}`, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x80; // version 8
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A W3C traceparent continuing the trace of `parent` (a new span id), or a new trace when there is none. */
function childTraceparent(parent) {
  const match = typeof parent === 'string' ? TRACEPARENT.exec(parent) : null;
  const traceId = match ? match[1] : crypto.randomBytes(16).toString('hex');
  const flags = match ? match[3] : '01';
  return `00-${traceId}-${crypto.randomBytes(8).toString('hex')}-${flags}`;
}

/**
 * Reads --name value / --name=value arguments, falling back to the environment variable of each option.
 * Returns an object of the option names; unknown arguments are an error, so a typo is not silently ignored.
 */
function readOptions(argv, spec) {
  const values = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      values.help = true;
      continue;
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!match || !(match[1] in spec)) {
      throw new Error(`unknown argument '${arg}'`);
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined) {
      throw new Error(`--${match[1]} needs a value`);
    }
    values[match[1]] = value;
  }
  for (const [name, { env, fallback }] of Object.entries(spec)) {
    if (values[name] === undefined && env && process.env[env]) values[name] = process.env[env];
    if (values[name] === undefined && fallback !== undefined) values[name] = fallback;
  }
  return values;
}

function usage(spec) {
  return Object.entries(spec)
    .map(([name, { env, fallback, help }]) =>
      `  --${name.padEnd(16)} ${help}${env ? ` (env ${env})` : ''}${fallback !== undefined ? `; default ${fallback}` : ''}`)
    .join('\n');
}

/** The broker URI with the password masked, for messages. */
function safeUri(uri) {
  try {
    const parsed = new URL(uri);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparsable URI>';
  }
}

module.exports = {
  QUERY, QUERY_SCHEMA, QUERY_EXCHANGE, CARD, CARD_SCHEMA, REJECTED, REJECTED_SCHEMA, DIRECT_REPLY_TO, H, STATUSES,
  SYSTEM_ID, agencyOf, headerText, rfc3339, parseTime, requestHash, answerId, childTraceparent, readOptions, usage, safeUri,
};
