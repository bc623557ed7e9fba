import { createServer } from 'node:net';

/**
 * A TCP port free on 127.0.0.1 right now (the system picks it; it is released before returning).
 * For servers that must know their own address before they listen, such as PUBLIC_URL.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
