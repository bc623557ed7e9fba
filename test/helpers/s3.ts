import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import type { S3Settings } from '../../src/core/config.ts';
import { s3ClientConfig } from '../../src/core/storage/s3.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

// A real S3-compatible server in this process (s3rver, files in a temporary folder) for the tests of the
// S3 storage, reached through a TCP proxy the test can cut and restore: "the store is unreachable for a
// while" without stopping the server or losing what it holds. s3rver checks request signatures with its
// fixed credentials (S3RVER / S3RVER), as a real store checks ours.

const ACCESS_KEY = 'S3RVER';

export interface TestS3 {
  /** The endpoint clients use (through the proxy). */
  readonly endpoint: string;
  /** A new empty bucket of this server, by name. */
  createBucket(name: string): Promise<void>;
  /** Pipit's variables for `bucket` on this server. */
  env(bucket: string): Record<string, string>;
  /** The storage settings for `bucket` (as loadConfig makes them from env()). */
  settings(bucket: string): S3Settings;
  /** The store becomes unreachable: open connections dropped, new ones refused. */
  cut(): Promise<void>;
  /** Reachable again, with what it held. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestS3(buckets: string[] = []): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), 'pipit-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name, configs: [] })) });
  const address = await server.run();
  let proxy: TcpProxy;
  try {
    proxy = await startTcpProxy('127.0.0.1', address.port);
  } catch (error) {
    await server.close();
    throw error;
  }
  const endpoint = `http://127.0.0.1:${proxy.port}`;
  const settings = (bucket: string): S3Settings => ({
    bucket,
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: ACCESS_KEY },
  });
  return {
    endpoint,
    async createBucket(name) {
      const client = new S3Client(s3ClientConfig(settings(name)));
      try {
        await client.send(new CreateBucketCommand({ Bucket: name }));
      } finally {
        client.destroy();
      }
    },
    env: (bucket) => ({
      MEDIA_STORAGE: 's3',
      S3_BUCKET: bucket,
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: ACCESS_KEY,
      S3_SECRET_ACCESS_KEY: ACCESS_KEY,
    }),
    settings,
    cut: () => proxy.cut(),
    restore: () => proxy.restore(),
    async close() {
      await proxy.close();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
