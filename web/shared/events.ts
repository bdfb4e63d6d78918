// Server-sent events read with fetch (EventSource cannot send an Authorization header, and a
// credential in the URL would end up in logs). Reconnects with Last-Event-ID.

export interface LiveEvent {
  readonly id: string;
  readonly type: string;
  readonly createdAtMs: number;
  readonly data: Record<string, unknown>;
}

export function subscribe(path: string, token: string, onEvent: (event: LiveEvent) => void, onState?: (connected: boolean) => void): () => void {
  let stopped = false;
  let lastEventId: string | undefined;
  let controller: AbortController | undefined;

  const run = async () => {
    let backoffMs = 500;
    while (!stopped) {
      controller = new AbortController();
      try {
        const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'text/event-stream' };
        if (lastEventId) headers['last-event-id'] = lastEventId;
        const response = await fetch(path, { headers, signal: controller.signal });
        if (!response.ok || !response.body) throw new Error(`status ${response.status}`);
        onState?.(true);
        backoffMs = 500;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let id: string | undefined;
            let data = '';
            for (const line of frame.split('\n')) {
              if (line.startsWith('id: ')) id = line.slice(4);
              else if (line.startsWith('data: ')) data += line.slice(6);
            }
            if (id) lastEventId = id;
            if (data && id) {
              try {
                onEvent(JSON.parse(data) as LiveEvent);
              } catch {
                // a frame that is not JSON is ignored; the stream goes on
              }
            }
          }
        }
      } catch {
        // reconnect below
      }
      onState?.(false);
      if (stopped) break;
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
      backoffMs = Math.min(backoffMs * 2, 10_000);
    }
  };
  void run();
  return () => {
    stopped = true;
    controller?.abort();
  };
}
