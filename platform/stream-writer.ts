import type { ServerResponse } from 'node:http';

/**
 * A write to `res` that resolves once the response has taken the chunk (back-pressure: what
 * produces the chunks, a database cursor say, waits for a slow client), and rejects when the
 * client has gone away.
 */
export function streamWriter(res: ServerResponse): (chunk: string | Buffer) => Promise<void> {
  return (chunk) =>
    new Promise((resolve, reject) => {
      if (res.destroyed) return reject(new Error('client went away'));
      if (res.write(chunk)) return resolve();
      const onDrain = () => {
        res.off('close', onClose);
        resolve();
      };
      const onClose = () => {
        res.off('drain', onDrain);
        reject(new Error('client went away'));
      };
      res.once('drain', onDrain);
      res.once('close', onClose);
    });
}
