/** Loopback port helpers for the development services. */
import { createServer } from 'node:net';

/** Resolves to the port that was bound (0 asks the OS for any free one), or undefined if `port` is taken. */
function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(undefined));
    probe.listen(port, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : undefined));
    });
  });
}

export async function freePort(): Promise<number> {
  const port = await tryListen(0);
  if (port === undefined) throw new Error('no free loopback port');
  return port;
}

/** The preferred port when it is free (so URLs stay familiar), else any free one. */
export async function preferredPort(preferred: number): Promise<number> {
  return (await tryListen(preferred)) ?? freePort();
}
