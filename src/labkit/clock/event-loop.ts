/** Waiting for the event loop, shared by the test clock and the bus. */

/**
 * Resolves after one turn of the event loop: every queued promise continuation runs first, and
 * so does real I/O that has completed meanwhile. A MessageChannel turn takes microseconds in
 * Node and in workers, where `setTimeout(0)` takes 1 ms or more.
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof MessageChannel !== 'function') return new Promise((resolve) => globalThis.setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
