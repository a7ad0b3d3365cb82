// Coalesces what one turn of the event loop writes to a socket into one write. Each AgentMessage
// is its own WebSocket frame; written one by one, a burst (AWS's 1 KiB messages and an ack for
// each, or a relay forwarding a batch it just read) costs a TLS record and a system call per
// frame. Corked until the current turn ends, the burst goes out together, and a lone keystroke
// still leaves within the same turn.

/** The part of Node's net.Socket / tls.TLSSocket this needs, typed without Node. */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

/**
 * Returns the function to call before each write to `socket`: the first call in a turn corks
 * it and asks `defer` (process.nextTick in Node) to uncork it when the turn's work is done.
 */
export function createTickCork(
  socket: Corkable,
  defer: (callback: () => void) => void,
): () => void {
  let corked = false;
  const release = (): void => {
    corked = false;
    socket.uncork();
  };
  return () => {
    if (corked) return;
    corked = true;
    socket.cork();
    defer(release);
  };
}
