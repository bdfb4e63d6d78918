export interface SseFrame {
  readonly id?: string;
  readonly event?: string;
  readonly data?: string;
  /** Comment lines (": …") of the block. */
  readonly comments: string[];
}

/** A streaming SSE reader over fetch: frames are parsed as they arrive (the format of the HTML standard). */
export async function openStream(url: string, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const frames: SseFrame[] = [];
  const waiters: Array<() => void> = [];
  let ended = false;
  let text = '';
  const reading = (async () => {
    if (!response.body || response.status !== 200) return;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
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
      }
    } catch {
      // aborted
    } finally {
      ended = true;
      for (const w of waiters.splice(0)) w();
    }
  })();
  return {
    response,
    frames,
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
      abort.abort();
      await reading;
    },
    /** Resolves when the server ends the stream. */
    finished: () => reading,
  };
}
