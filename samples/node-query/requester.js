#!/usr/bin/env node
'use strict';
// Asks the QazBus query mju.population.citizen-by-iin v1 once, synchronously (RabbitMQ direct reply-to), with a plain
// AMQP client and no QazBus code. Prints one JSON line {status, requestId, requestHash, hashVerified, provider, body}
// and exits 0 when an answer came (whatever its status); exits non-zero when none came in time. See README.md.

const crypto = require('node:crypto');
const amqp = require('amqplib');
const wire = require('./wire');

const { H } = wire;

const SPEC = {
  uri: { env: 'QAZBUS_RABBITMQ_URI', fallback: 'amqp://guest:guest@localhost:5672/', help: 'the broker' },
  system: { env: 'QAZBUS_SYSTEM', fallback: 'kgd.node-requester', help: 'this requester\'s system id {agency}.{system}' },
  iin: { env: 'QAZBUS_IIN', help: 'the IIN asked about (12 digits; sent as given, so a wrong one shows the provider\'s invalid-request)' },
  'timeout-ms': { env: 'QAZBUS_TIMEOUT_MS', fallback: '10000', help: 'how long to wait; also the request\'s deadline' },
  'correlation-id': { env: 'QAZBUS_CORRELATION_ID', help: 'optional business case (AMQP correlation-id of the request)' },
};

// Exit codes: 0 answered, 1 broker or other error, 2 no answer in time, 3 nobody answers this query, 64 bad arguments.
const EXIT = { answered: 0, error: 1, timeout: 2, unroutable: 3, usage: 64 };

function fail(code, message) {
  process.stderr.write(`requester: ${message}\n`);
  process.exitCode = code;
  return code;
}

async function main() {
  let options;
  try {
    options = wire.readOptions(process.argv.slice(2), SPEC);
  } catch (error) {
    return fail(EXIT.usage, `${error.message}\nOptions:\n${wire.usage(SPEC)}`);
  }
  if (options.help) {
    process.stdout.write(`node requester.js --iin 900101300123 [options]\n${wire.usage(SPEC)}\n`);
    return EXIT.answered;
  }
  const timeoutMs = Number(options['timeout-ms']);
  if (!options.iin) return fail(EXIT.usage, '--iin is required (or QAZBUS_IIN)');
  if (!wire.SYSTEM_ID.test(options.system)) return fail(EXIT.usage, `--system '${options.system}' is not {agency}.{system} in lowercase a-z, 0-9 and '-'`);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) return fail(EXIT.usage, `--timeout-ms '${options['timeout-ms']}' is not a positive whole number`);

  const started = Date.now();
  let connection;
  try {
    connection = await amqp.connect(options.uri, { timeout: Math.min(timeoutMs, 10000), clientProperties: { connection_name: options.system } });
  } catch (error) {
    return fail(EXIT.error, `cannot connect to ${wire.safeUri(options.uri)}: ${error.message}`);
  }

  try {
    return await ask(connection, options, timeoutMs - (Date.now() - started));
  } finally {
    await connection.close().catch(() => {});
  }
}

async function ask(connection, options, remainingMs) {
  // A confirm channel: the broker tells us it took the request; with `mandatory` it first returns a request that
  // reached no queue (no provider bound), so that case fails at once instead of waiting for the timeout.
  const channel = await connection.createConfirmChannel();
  let channelError;
  channel.on('error', (error) => { channelError = error; });

  // Direct reply-to: consume the pseudo-queue, with noAck, on the SAME channel the request is published on, and
  // before publishing. The broker then rewrites our reply-to into a token only this channel receives.
  const answers = [];
  let onAnswer = () => {};
  await channel.consume(wire.DIRECT_REPLY_TO, (message) => { answers.push(message); onAnswer(); }, { noAck: true });

  let returned;
  channel.on('return', (message) => { returned = message; onAnswer(); });

  const requestId = crypto.randomUUID();
  const now = new Date();
  const request = {
    id: requestId,
    source: options.system,
    dataschema: wire.QUERY_SCHEMA,
    time: wire.rfc3339(now),
    deadline: wire.rfc3339(new Date(now.getTime() + remainingMs)),
  };
  const body = Buffer.from(JSON.stringify({ iin: options.iin }), 'utf8');
  const hash = wire.requestHash(request, body);
  const headers = {
    [H.specversion]: '1.0',
    [H.id]: request.id,
    [H.source]: request.source,
    [H.type]: wire.QUERY,
    [H.time]: request.time,
    [H.dataschema]: request.dataschema,
    [H.deadline]: request.deadline,
    [H.traceparent]: wire.childTraceparent(undefined),
  };

  try {
    await new Promise((resolve, reject) => {
      channel.publish(wire.QUERY_EXCHANGE, '', body, {
        contentType: 'application/json',
        messageId: requestId,
        correlationId: options['correlation-id'],
        replyTo: wire.DIRECT_REPLY_TO,
        persistent: true,
        mandatory: true,
        headers,
      }, (error) => (error ? reject(error) : resolve()));
    });
  } catch (error) {
    if (channelError && /NOT_FOUND/.test(channelError.message)) {
      return fail(EXIT.unroutable, `exchange '${wire.QUERY_EXCHANGE}' does not exist: no provider of ${wire.QUERY} v1 is deployed on this broker (${channelError.message})`);
    }
    if (channelError && /ACCESS_REFUSED/.test(channelError.message)) {
      return fail(EXIT.error, `the broker refused '${options.system}' to send to '${wire.QUERY_EXCHANGE}': not an approved requester of ${wire.QUERY} v1 in the registry (${channelError.message})`);
    }
    return fail(EXIT.error, `the broker did not take request ${requestId}: ${(channelError ?? error).message}`);
  }
  if (returned) {
    return fail(EXIT.unroutable, `no queue is bound to '${wire.QUERY_EXCHANGE}': no provider answers ${wire.QUERY} v1 on this broker`);
  }

  const dropped = [];
  const deadline = Date.now() + remainingMs;
  for (;;) {
    while (answers.length > 0) {
      const message = answers.shift();
      const verdict = check(message, requestId, hash);
      if (verdict.problem) {
        // Direct reply-to reaches us from anyone who learned the token: an answer that does not prove it answers
        // this very request, from the owning agency, is dropped (as the .NET SDK does) and the real one awaited.
        dropped.push(verdict.problem);
        process.stderr.write(`requester: answer dropped: ${verdict.problem}\n`);
        continue;
      }
      process.stdout.write(`${JSON.stringify({
        status: verdict.status,
        requestId,
        requestHash: hash,
        hashVerified: true,
        provider: verdict.provider,
        body: verdict.body,
      })}\n`);
      return EXIT.answered;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, left);
      onAnswer = () => { clearTimeout(timer); resolve(); };
    });
    onAnswer = () => {};
  }

  const why = dropped.length > 0 ? ` (${dropped.length} answer(s) dropped: ${dropped.join('; ')})` : '';
  return fail(EXIT.timeout, `timeout: no valid answer to request ${requestId} (${wire.QUERY} v1, asked by ${options.system}) within ${options['timeout-ms']} ms${why}`);
}

/** The answer's status, provider and body, or the reason it is not an answer to this request. */
function check(message, requestId, hash) {
  const props = message.properties;
  const headers = props.headers ?? {};
  if (props.correlationId !== requestId) {
    return { problem: `correlation-id '${props.correlationId}' is not request ${requestId}` };
  }
  const provider = wire.headerText(headers, H.source);
  if (!provider || !wire.SYSTEM_ID.test(provider) || wire.agencyOf(provider) !== wire.agencyOf(wire.QUERY)) {
    return { problem: `source '${provider}' is not a system of agency '${wire.agencyOf(wire.QUERY)}', which answers ${wire.QUERY}` };
  }
  const answered = wire.headerText(headers, H.requestHash);
  if (answered !== hash) {
    return { problem: `${H.requestHash} '${answered}' is not this request's hash '${hash}'` };
  }
  const status = wire.headerText(headers, H.status) ?? 'ok';
  const text = message.content.toString('utf8');
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status, provider, body };
}

main().then(
  (code) => { process.exitCode = code; },
  (error) => { fail(EXIT.error, error.stack ?? String(error)); },
);
