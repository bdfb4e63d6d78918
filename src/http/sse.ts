import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { SaomaError } from '../core/errors.js';
import { LIVE_EVENTS_CLIENT_BUFFER_BYTES_MAX, LIVE_EVENTS_HEARTBEAT_MS } from '../core/limits.js';
import type { LiveEvent, LiveEventFilter, LiveEvents, Subscription } from '../service/live-events.js';

// Server-sent events (text/event-stream) over the live outbox events.

const LAST_EVENT_ID_PATTERN = '^[0-9]{1,19}$';

/** The `Last-Event-ID` request header: the seq of the last event a reconnecting client got. */
export const LastEventIdHeaders = Type.Object({
  'last-event-id': Type.Optional(
    Type.String({ pattern: LAST_EVENT_ID_PATTERN, description: 'The `id` of the last event received; the stream first replays what came after it (bounded).' }),
  ),
});

/** The 200 response of an event stream, for the OpenAPI document (the body is never serialized). */
export const EventStreamResponse = {
  description:
    'A stream of `id: <seq>`, `event: <type>`, `data: {"id","type","createdAtMs","data"}` frames, a `: heartbeat` comment every 15 s, ' +
    'and `event: replay_truncated` when more was missed than is replayed.',
  content: { 'text/event-stream': { schema: Type.String() } },
};

/** One SSE frame; the data is one line of JSON (split on line breaks anyway, as the format requires). */
export function eventFrame(event: LiveEvent): string {
  const data = event.json
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}`)
    .join('\n');
  return `id: ${event.seq}\nevent: ${event.type}\n${data}\n\n`;
}

export interface EventStreams {
  /** Ends every open stream: Fastify's close would otherwise wait on them forever. */
  endAll(): void;
  add(end: () => void): void;
  delete(end: () => void): void;
}

/** Tracks the streams a plugin opens and ends them when the server closes. */
export function trackEventStreams(app: FastifyInstance): EventStreams {
  const open = new Set<() => void>();
  const streams: EventStreams = {
    endAll: () => {
      for (const end of [...open]) end();
    },
    add: (end) => void open.add(end),
    delete: (end) => void open.delete(end),
  };
  app.addHook('preClose', async () => streams.endAll());
  return streams;
}

export interface StreamOptions {
  readonly live: LiveEvents;
  readonly filter: LiveEventFilter;
  readonly streams: EventStreams;
  readonly heartbeatMs?: number;
  readonly bufferBytesMax?: number;
}

/**
 * Answers the request with an event stream of the filter's events: first those after the client's
 * Last-Event-ID (bounded replay), then live ones. A client that stops reading is cut off once
 * LIVE_EVENTS_CLIENT_BUFFER_BYTES_MAX is queued for it; it reconnects and replays.
 */
export async function streamEvents(request: FastifyRequest, reply: FastifyReply, options: StreamOptions): Promise<void> {
  const heartbeatMs = options.heartbeatMs ?? LIVE_EVENTS_HEARTBEAT_MS;
  const bufferBytesMax = options.bufferBytesMax ?? LIVE_EVENTS_CLIENT_BUFFER_BYTES_MAX;
  const header = request.headers['last-event-id'];
  const afterSeq = typeof header === 'string' && new RegExp(LAST_EVENT_ID_PATTERN).test(header) ? BigInt(header) : undefined;

  const res = reply.raw;
  // Frames produced before the head is written (the replay, read during subscribe) wait here.
  const early: string[] = [];
  let headWritten = false;
  let finished = false;
  let subscription: Subscription | undefined;
  let heartbeat: NodeJS.Timeout | undefined;

  const finish = (): void => {
    if (finished) return;
    finished = true;
    if (heartbeat) clearInterval(heartbeat);
    subscription?.close();
    options.streams.delete(finish);
    if (headWritten && !res.writableEnded) res.end();
  };
  const write = (text: string): void => {
    if (finished) return;
    if (!headWritten) {
      early.push(text);
      return;
    }
    if (res.destroyed || res.writableEnded) return finish();
    res.write(text);
    if (res.writableLength > bufferBytesMax) finish();
  };

  try {
    subscription = await options.live.subscribe(options.filter, (event) => write(eventFrame(event)), {
      ...(afterSeq !== undefined ? { afterSeq } : {}),
      onTruncated: () => write('event: replay_truncated\ndata: {}\n\n'),
      onEnd: () => finish(),
    });
  } catch (error) {
    // Past the subscriber limit: "retry later", at once.
    if (error instanceof SaomaError && error.code === 'LIVE_EVENTS_OVERLOADED') reply.header('retry-after', '1');
    throw error;
  }
  if (finished) {
    // The service closed while the stream was being set up: answer like any refusal.
    reply.header('retry-after', '1');
    throw new SaomaError('LIVE_EVENTS_OVERLOADED', 'the server is shutting down; reconnect later');
  }
  options.streams.add(finish);
  reply.hijack();
  res.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string | string[] | number>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    // Proxies (nginx) must not hold frames back.
    'x-accel-buffering': 'no',
  });
  headWritten = true;
  res.on('close', finish);
  res.write(': stream open\nretry: 3000\n\n');
  for (const text of early.splice(0)) write(text);
  heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
  heartbeat.unref?.();
}
