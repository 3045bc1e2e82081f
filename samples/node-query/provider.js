#!/usr/bin/env node
'use strict';
// Answers the QazBus query mju.population.citizen-by-iin v1 from a small built-in table, with a plain AMQP client and
// no QazBus code: a quorum queue bound to the query's exchange, one answer per request to its reply-to, each carrying
// the request hash. Prints "ready" on stdout once consuming; logs one line per request on stderr. See README.md.

const amqp = require('amqplib');
const wire = require('./wire');

const { H } = wire;

const SPEC = {
  uri: { env: 'QAZBUS_RABBITMQ_URI', fallback: 'amqp://guest:guest@localhost:5672/', help: 'the broker' },
  system: { env: 'QAZBUS_SYSTEM', fallback: 'mju.node-provider', help: 'this provider\'s system id; must be of agency mju, the query\'s owner' },
  queue: { env: 'QAZBUS_QUEUE', help: 'the quorum queue to declare and consume; default {system}.citizen-queries' },
  requesters: { env: 'QAZBUS_APPROVED_REQUESTERS', help: 'comma-separated approved requester systems; others get access-denied. Default: the broker\'s permissions decide alone' },
  prefetch: { env: 'QAZBUS_PREFETCH', fallback: '16', help: 'requests in flight' },
};

// The registry this sample answers from. IINs start with the birth date (YYMMDD); the 7th digit is century and sex.
const CITIZENS = new Map([
  ['900101300123', {
    iin: '900101300123', lastName: 'Seitkaliyev', firstName: 'Nurlan', birthDate: '1990-01-01',
    address: { region: 'Astana', locality: 'Astana', street: 'Mangilik El 8, 12', postalCode: '010000' },
    updatedAt: '2026-11-29T09:00:00Z',
  }],
  ['850315400456', {
    iin: '850315400456', lastName: 'Abenova', firstName: 'Dana', birthDate: '1985-03-15',
    updatedAt: '2026-10-02T14:30:00Z', // no registered address: the field is left out
  }],
]);

function log(line) {
  process.stderr.write(`provider: ${line}\n`);
}

class Rejection extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/**
 * The request as carried: the texts the hash is computed over, and who to answer where. Never throws: even a request
 * too broken to handle is answered, as long as it names an id and a reply address of its requester.
 */
function readRequest(message) {
  const props = message.properties;
  const headers = props.headers ?? {};
  const request = {
    id: wire.headerText(headers, H.id) ?? props.messageId,
    source: wire.headerText(headers, H.source),
    dataschema: wire.headerText(headers, H.dataschema),
    time: wire.headerText(headers, H.time),
    deadline: wire.headerText(headers, H.deadline),
    replyTo: props.replyTo,
  };
  request.hash = wire.requestHash(request, message.content);
  return request;
}

/**
 * Where an answer may go: direct reply-to, or the requester's own reply exchange {requester}.replies. Anything else
 * would let a request steer answers into someone else's exchange.
 */
function replyAddressOk(request) {
  const { replyTo, source } = request;
  if (typeof replyTo !== 'string' || replyTo.length === 0) return false;
  if (replyTo.startsWith(wire.DIRECT_REPLY_TO)) return true;
  return typeof source === 'string' && wire.SYSTEM_ID.test(source) && replyTo === `${source}.replies`;
}

/** The card of the request, or a Rejection. Same order as the .NET SDK: envelope and body, deadline, right, data. */
function answer(message, request, approved) {
  const props = message.properties;
  const headers = props.headers ?? {};
  const specversion = wire.headerText(headers, H.specversion);
  if (specversion !== '1.0') {
    throw new Rejection('invalid-request', `Header '${H.specversion}' is '${specversion ?? ''}'; QazBus speaks CloudEvents '1.0'.`);
  }
  if (!wire.headerText(headers, H.id)) {
    throw new Rejection('invalid-request', `Required header '${H.id}' is missing or empty.`);
  }
  if (!request.source || !wire.SYSTEM_ID.test(request.source)) {
    throw new Rejection('invalid-request', `Header '${H.source}' is '${request.source ?? ''}'; it must be the requesting system id '{agency}.{system}'.`);
  }
  const type = wire.headerText(headers, H.type);
  if (type !== wire.QUERY || request.dataschema !== wire.QUERY_SCHEMA) {
    throw new Rejection('invalid-request', `The request is '${type ?? ''}' (${H.dataschema} '${request.dataschema ?? ''}'); this provider answers '${wire.QUERY}' v1 (${wire.QUERY_SCHEMA}).`);
  }
  if (Number.isNaN(wire.parseTime(request.time))) {
    throw new Rejection('invalid-request', `Header '${H.time}' is '${request.time ?? ''}'; it must be an RFC 3339 timestamp such as 2026-11-29T10:00:00Z.`);
  }
  if (props.contentType && !/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(props.contentType)) {
    throw new Rejection('invalid-request', `Content type is '${props.contentType}'; QazBus bodies are 'application/json'.`);
  }
  const deadline = wire.parseTime(request.deadline);
  if (Number.isNaN(deadline)) {
    throw new Rejection('invalid-request', request.deadline
      ? `Header '${H.deadline}' is '${request.deadline}'; it must be an RFC 3339 timestamp such as 2026-12-03T10:00:30Z.`
      : `Required header '${H.deadline}' is missing or empty: a query request carries its end of life (RFC 3339).`);
  }

  let body;
  try {
    body = JSON.parse(message.content.toString('utf8'));
  } catch (error) {
    throw new Rejection('invalid-request', `Body is not well-formed JSON: ${error.message}`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new Rejection('invalid-request', `Body does not match contract '${wire.QUERY}' v1: it must be a JSON object {"iin": "<12 digits>"}.`);
  }
  if (typeof body.iin !== 'string' || !/^\d{12}$/.test(body.iin)) {
    // The value itself is not repeated: it may be personal data, and the rejection travels to the requester.
    throw new Rejection('invalid-request', body.iin === undefined
      ? `Body does not match contract '${wire.QUERY}' v1: required field 'iin' is missing.`
      : `Body breaks contract '${wire.QUERY}' v1: field 'iin' must be a string of 12 digits.`);
  }

  // After the checks: a request past its deadline is not handled, nobody waits for the answer any more.
  const now = Date.now();
  if (now > deadline) {
    throw new Rejection('expired', `The request's deadline ${request.deadline} passed before it was handled (${new Date(now).toISOString()}); it was not handled.`);
  }
  if (approved && !approved.has(request.source)) {
    throw new Rejection('access-denied', `System '${request.source}' is not an approved requester of query '${wire.QUERY}' v1.`);
  }

  const card = CITIZENS.get(body.iin);
  if (!card) {
    throw new Rejection('no-data', 'The population registry has no citizen with the IIN asked about.');
  }
  return card;
}

async function main() {
  let options;
  try {
    options = wire.readOptions(process.argv.slice(2), SPEC);
  } catch (error) {
    log(`${error.message}\nOptions:\n${wire.usage(SPEC)}`);
    return 64;
  }
  if (options.help) {
    process.stdout.write(`node provider.js [options]\n${wire.usage(SPEC)}\n`);
    return 0;
  }
  const system = options.system;
  if (!wire.SYSTEM_ID.test(system) || wire.agencyOf(system) !== wire.agencyOf(wire.QUERY)) {
    // Requesters drop answers from other agencies: a provider of another agency would only make them time out.
    log(`--system '${system}' must be a system of agency '${wire.agencyOf(wire.QUERY)}' ({agency}.{system}), the owner of ${wire.QUERY}`);
    return 64;
  }
  const queue = options.queue ?? `${system}.citizen-queries`;
  if (!queue.startsWith(`${wire.agencyOf(system)}.`)) {
    // The broker's permissions generated from the registry let a system use only queues under its agency prefix.
    log(`--queue '${queue}' must start with '${wire.agencyOf(system)}.', the agency's prefix`);
    return 64;
  }
  const prefetch = Number(options.prefetch);
  const approved = options.requesters ? new Set(options.requesters.split(',').map((s) => s.trim()).filter(Boolean)) : null;

  const connection = await amqp.connect(options.uri, { clientProperties: { connection_name: system } });
  // amqplib does not reconnect: a lost connection ends the process, and its supervisor starts it again. Requests
  // not yet acknowledged stay in the quorum queue and are answered then.
  connection.on('close', (error) => {
    if (error) {
      log(`connection lost: ${error.message}`);
      process.exit(1);
    }
  });
  connection.on('error', (error) => log(`connection error: ${error.message}`));

  // Requests arrive on one channel; answers leave on a confirm channel of their own, so an answer the broker refuses
  // (a reply exchange that does not exist closes the channel) never stops the consumer.
  const requests = await connection.createChannel();
  await requests.assertExchange(wire.QUERY_EXCHANGE, 'fanout', { durable: true });
  await requests.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await requests.bindQueue(queue, wire.QUERY_EXCHANGE, '');
  await requests.prefetch(Number.isInteger(prefetch) && prefetch > 0 ? prefetch : 16);

  let answers;
  async function answersChannel() {
    if (answers) return answers;
    const channel = await connection.createConfirmChannel();
    channel.on('error', (error) => log(`answer channel closed: ${error.message}`));
    channel.on('close', () => { if (answers === channel) answers = undefined; });
    channel.on('return', (returned) => log(`answer ${returned.properties.messageId} reached no queue at '${returned.fields.exchange}'; the requester will time out`));
    answers = channel;
    return channel;
  }
  await answersChannel();

  async function handle(message) {
    const request = readRequest(message);
    if (!request.id || !replyAddressOk(request)) {
      // Nowhere to answer, or nothing to correlate with: drop it (acknowledged) and say so.
      log(`request ${request.id ?? '<no id>'} from ${request.source ?? '<no source>'} cannot be answered: reply-to '${request.replyTo ?? ''}' is not '${wire.DIRECT_REPLY_TO}' nor the requester's '{requester}.replies'`);
      requests.ack(message);
      return;
    }

    let status = 'ok';
    let contract = wire.CARD;
    let dataschema = wire.CARD_SCHEMA;
    let body;
    try {
      body = answer(message, request, approved);
    } catch (error) {
      const rejection = error instanceof Rejection ? error
        : new Rejection('failure', `'${system}' failed to answer.`); // the exception text stays in our log
      if (!(error instanceof Rejection)) log(`request ${request.id}: ${error.stack ?? error}`);
      status = rejection.code;
      contract = wire.REJECTED;
      dataschema = wire.REJECTED_SCHEMA;
      body = { code: rejection.code, message: rejection.message, query: wire.QUERY, version: 1 };
    }

    const id = wire.answerId(request.id);
    const direct = request.replyTo.startsWith(wire.DIRECT_REPLY_TO);
    const headers = {
      [H.specversion]: '1.0',
      [H.id]: id,
      [H.source]: system,
      [H.type]: contract,
      [H.time]: wire.rfc3339(new Date()),
      [H.dataschema]: dataschema,
      [H.status]: status,
      [H.query]: request.dataschema || wire.QUERY_SCHEMA,
      [H.requestHash]: request.hash,
      [H.traceparent]: wire.childTraceparent(wire.headerText(message.properties.headers, H.traceparent)),
    };
    try {
      const channel = await answersChannel();
      await new Promise((resolve, reject) => {
        // Direct reply-to: the default exchange, routing key = the reply-to token; not mandatory (a requester
        // that gave up is gone). A reply queue: its fanout exchange, mandatory, so a lost answer is noticed.
        channel.publish(direct ? '' : request.replyTo, direct ? request.replyTo : '', Buffer.from(JSON.stringify(body), 'utf8'), {
          contentType: 'application/json',
          messageId: id,
          correlationId: request.id,
          persistent: true,
          mandatory: !direct,
          headers,
        }, (error) => (error ? reject(error) : resolve()));
      });
      log(`request ${request.id} from ${request.source}: ${status}`);
    } catch (error) {
      log(`the answer to request ${request.id} could not be sent to '${request.replyTo}': ${error.message}; the requester will time out`);
    }
    // Acknowledged only after the answer is confirmed: a crash before that leaves the request in the queue, and it
    // is answered again (same answer id) after the restart.
    requests.ack(message);
  }

  await requests.consume(queue, (message) => {
    if (message === null) {
      log(`consumer of '${queue}' cancelled by the broker (queue deleted?)`);
      process.exit(1);
    }
    handle(message).catch((error) => log(`request failed: ${error.stack ?? error}`));
  }, { noAck: false });

  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      connection.close().catch(() => {}).finally(() => process.exit(0));
    });
  }

  log(`${system} answers ${wire.QUERY} v1 from '${queue}' (bound to '${wire.QUERY_EXCHANGE}') on ${wire.safeUri(options.uri)}`);
  process.stdout.write('ready\n');
  return undefined;
}

main().then(
  (code) => { if (code !== undefined) process.exitCode = code; },
  (error) => { log(error.stack ?? String(error)); process.exitCode = 1; },
);
