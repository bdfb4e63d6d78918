import http from 'node:http';

export interface SseFrame {
  readonly id?: string;
  readonly event?: string;
  readonly data?: string;
  /** Comment lines (": …") of the block. */
  readonly comments: string[];
}

/**
 * A streaming SSE reader: frames are parsed as they arrive (the format of the HTML standard).
 * node:http without an agent, so closing a stream leaves no pooled connection behind.
 */
export async function openStream(url: string, headers: Record<string, string> = {}) {
  const frames: SseFrame[] = [];
  const waiters: Array<() => void> = [];
  let ended = false;
  let text = '';
  let body = '';
  let markEnded!: () => void;
  const reading = new Promise<void>((resolve) => (markEnded = resolve));
  const finish = () => {
    if (ended) return;
    ended = true;
    for (const w of waiters.splice(0)) w();
    markEnded();
  };
  const parse = (chunk: string) => {
    text += chunk;
    let cut: number;
    while ((cut = text.indexOf('\n\n')) >= 0) {
      const block = text.slice(0, cut);
      text = text.slice(cut + 2);
      const frame: { id?: string; event?: string; data?: string; comments: string[] } = { comments: [] };
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) frame.comments.push(line.slice(1).trim());
        else {
          const colon = line.indexOf(':');
          const field = line.slice(0, colon);
          const value = line.slice(colon + 1).replace(/^ /, '');
          if (field === 'data') frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`;
          else if (field === 'id' || field === 'event') frame[field] = value;
        }
      }
      frames.push(frame);
      for (const w of waiters.splice(0)) w();
    }
  };
  const { request, response } = await new Promise<{ request: http.ClientRequest; response: http.IncomingMessage }>((resolve, reject) => {
    const request = http.get(url, { agent: false, headers: { accept: 'text/event-stream', ...headers } }, (response) => resolve({ request, response }));
    request.on('error', (error) => (ended ? undefined : reject(error)));
    request.setTimeout(30_000, () => request.destroy(new Error('stream request timed out')));
  });
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => (response.statusCode === 200 ? parse(chunk) : (body += chunk)));
  response.on('end', finish);
  response.on('close', finish);
  response.on('error', finish);
  request.on('error', finish);
  return {
    status: response.statusCode ?? 0,
    headers: response.headers,
    frames,
    /** The body of a response that is not a stream (an error). */
    body: () => body,
    /** The frames that carry an event (not comments or retry hints). */
    events: () => frames.filter((f) => f.event !== undefined),
    get ended() {
      return ended;
    },
    async waitFor(what: string, done: () => boolean, timeoutMs = 10_000): Promise<void> {
      const end = Date.now() + timeoutMs;
      while (!done()) {
        if (ended) throw new Error(`stream ended before ${what}`);
        const left = end - Date.now();
        if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(frames)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 200));
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    async close() {
      request.destroy();
      await reading;
    },
    /** Resolves when the stream ends (the server ended it, or close()). */
    finished: () => reading,
  };
}
