import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/core/config.ts';
import { QUEUE_NAMES } from '../../src/core/jobs/queues.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pipit-config-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

type Env = Record<string, string | undefined>;
const load = (env: Env) => loadConfig(env, { dotenvPath: null });

/** Asserts that loading fails with a ConfigError whose message starts with the variable's name. */
function assertConfigError(env: Env, variable: string): void {
  assert.throws(
    () => load(env),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
      assert.ok(error.message.startsWith(`${variable}:`), `message should name ${variable}: ${error.message}`);
      return true;
    },
  );
}

describe('loadConfig: defaults', () => {
  it('gives a complete development configuration from an empty environment', () => {
    const dataDir = tempDir();
    const config = load({ DATA_DIR: dataDir });
    assert.equal(config.nodeEnv, 'development');
    assert.equal(config.port, 3000);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.publicUrl, 'http://localhost:3000');
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.dataDir, dataDir);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.maxPostLength, 500);
    assert.equal(config.apiRateLimit, 300);
    assert.equal(config.trustProxy, false);
    assert.equal(config.secureCookies, false);
  });

  it('defaults DATA_DIR to ./data, made absolute', () => {
    assert.equal(load({ NODE_ENV: 'test' }).dataDir, resolve('data'));
  });

  it('is frozen', () => {
    const config = load({ NODE_ENV: 'test' });
    assert.ok(Object.isFrozen(config));
    assert.throws(() => {
      (config as { port: number }).port = 1;
    }, TypeError);
  });

  it('in tests: silent logs and a fixed key, without writing to DATA_DIR', () => {
    const dataDir = tempDir();
    const config = load({ NODE_ENV: 'test', DATA_DIR: dataDir });
    assert.equal(config.logLevel, 'silent');
    assert.ok(config.secretKey.length >= 32);
    assert.equal(existsSync(join(dataDir, 'secret-key')), false);
  });
});

describe('loadConfig: values', () => {
  it('reads and converts every variable', () => {
    const config = load({
      NODE_ENV: 'test',
      PORT: '8080',
      HOST: '127.0.0.1',
      PUBLIC_URL: 'https://pipit.example/',
      DATABASE_URL: 'postgresql://user@db:5432/pipit',
      SECRET_KEY: 'k'.repeat(32),
      LOG_LEVEL: 'debug',
      MAX_POST_LENGTH: '1000',
      TRUST_PROXY: '1',
      METRICS_OPEN: 'true',
      SMTP_TIMEOUT_SECONDS: '5',
    });
    assert.equal(config.port, 8080);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.publicUrl, 'https://pipit.example', 'trailing slash removed');
    assert.equal(config.databaseUrl, 'postgresql://user@db:5432/pipit');
    assert.equal(config.secretKey, 'k'.repeat(32));
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.maxPostLength, 1000);
    assert.equal(config.trustProxy, 1);
    assert.equal(config.metricsOpen, true);
    assert.equal(config.smtpTimeoutSeconds, 5);
    assert.equal(config.secureCookies, true);
  });

  it('builds the default public URL from PORT', () => {
    assert.equal(load({ NODE_ENV: 'test', PORT: '4000' }).publicUrl, 'http://localhost:4000');
  });

  it('treats empty values as unset', () => {
    const config = load({ NODE_ENV: 'test', PORT: '', PUBLIC_URL: '', DATABASE_URL: '', TRUST_PROXY: '' });
    assert.equal(config.port, 3000);
    assert.equal(config.publicUrl, 'http://localhost:3000');
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.trustProxy, false);
    assert.equal(config.metricsOpen, false);
  });

  it('reads TRUST_PROXY as off, a hop count or the proxies\' addresses, and refuses "every hop"', () => {
    const trust = (value: string) => load({ NODE_ENV: 'test', TRUST_PROXY: value }).trustProxy;
    assert.equal(trust('false'), false);
    assert.equal(trust('0'), false);
    assert.equal(trust('2'), 2);
    assert.deepEqual(trust('127.0.0.1'), ['127.0.0.1']);
    assert.deepEqual(trust(' 10.0.0.0/8, ::1 ,fd00::/8,loopback'), ['10.0.0.0/8', '::1', 'fd00::/8', 'loopback']);
    assert.throws(() => trust('true'), (error: Error) => {
      assert.match(error.message, /^TRUST_PROXY: true would trust every X-Forwarded-For hop/);
      assert.match(error.message, /number of proxies in front of Pipit \(e\.g\. 1\) or their addresses/);
      return true;
    });
  });

  it('reads WORKER_QUEUES as the queues a worker takes (all by default), and names the valid ones for a typo', () => {
    const queues = (value?: string) => load({ NODE_ENV: 'test', ...(value === undefined ? {} : { WORKER_QUEUES: value }) }).workerQueues;
    assert.deepEqual(queues(), QUEUE_NAMES);
    assert.deepEqual(queues(' media-image , media-probe,media-image'), ['media-image', 'media-probe']);
    assert.throws(() => queues('media-probe,media-imgae'), (error: Error) => {
      assert.match(error.message, /^WORKER_QUEUES: "media-imgae" is not a queue; the queues are: notify-mentions, .*media-probe, media-image/);
      return true;
    });
    assert.throws(() => queues(' , '), { message: /^WORKER_QUEUES: must name at least one queue/ });
  });

  it('finds MEDIA_HEIF_CONVERT at start-up: a path, a name on PATH, or nothing (off, or not installed)', () => {
    const heif = (env: Record<string, string>) => load({ NODE_ENV: 'test', ...env }).mediaHeifConvert;
    assert.equal(heif({ MEDIA_HEIF_CONVERT: 'off' }), undefined);
    assert.equal(heif({ MEDIA_HEIF_CONVERT: '/nonexistent/heif-convert' }), undefined);
    assert.equal(heif({ MEDIA_HEIF_CONVERT: 'sh', PATH: '/nonexistent:/bin' }), '/bin/sh');
    assert.equal(heif({ MEDIA_HEIF_CONVERT: 'sh', PATH: '/nonexistent' }), undefined);
    assert.throws(() => heif({ MEDIA_HEIF_CONVERT: 'heif-convert --quiet' }), { message: /^MEDIA_HEIF_CONVERT: must be a command name or a path/ });
  });

  it('reads a .env file, with the real environment winning', () => {
    const dir = tempDir();
    const file = join(dir, '.env');
    writeFileSync(file, 'PORT=5000\nMAX_POST_LENGTH=777\nNODE_ENV=test\n');
    const config = loadConfig({ PORT: '6000' }, { dotenvPath: file });
    assert.equal(config.port, 6000);
    assert.equal(config.maxPostLength, 777);
    assert.equal(config.nodeEnv, 'test');
  });

  it('ignores a missing .env file', () => {
    assert.equal(loadConfig({ NODE_ENV: 'test' }, { dotenvPath: join(tempDir(), 'absent.env') }).port, 3000);
  });
});

describe('loadConfig: bad values name the variable', () => {
  const cases: [string, string][] = [
    ['NODE_ENV', 'staging'],
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '80.5'],
    ['PUBLIC_URL', 'not a url'],
    ['PUBLIC_URL', 'ftp://pipit.example'],
    ['DATABASE_URL', 'mysql://localhost/pipit'],
    ['SECRET_KEY', 'too-short'],
    ['LOG_LEVEL', 'loud'],
    ['MAX_POST_LENGTH', '0'],
    ['MAX_POST_LENGTH', 'lots'],
    ['MAX_POST_LENGTH', '100001'],
    ['API_RATE_LIMIT', '0'],
    ['API_RATE_LIMIT', 'many'],
    ['TRUST_PROXY', 'maybe'],
    ['TRUST_PROXY', 'true'],
    ['TRUST_PROXY', '11'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['TRUST_PROXY', '10.0.0.1,proxy.example'],
    ['TRUST_PROXY', ','],
    ['METRICS_OPEN', 'wide'],
    ['SMTP_TIMEOUT_SECONDS', '0'],
    ['SMTP_TIMEOUT_SECONDS', '601'],
  ];
  for (const [variable, value] of cases) {
    it(`${variable}=${JSON.stringify(value)}`, () => {
      assertConfigError({ NODE_ENV: 'test', [variable]: value }, variable);
    });
  }

  it('quotes the value it got, to help fix it', () => {
    assert.throws(() => load({ NODE_ENV: 'test', PORT: 'abc' }), { message: /got "abc"/ });
  });

  it('never echoes a secret or a database URL that may hold a password', () => {
    assert.throws(() => load({ NODE_ENV: 'test', SECRET_KEY: 'hunter2-short' }), (error: Error) => {
      assert.match(error.message, /^SECRET_KEY: /);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
    assert.throws(() => load({ NODE_ENV: 'test', DATABASE_URL: 'mysql://root:sekrit@db/x' }), (error: Error) => {
      assert.match(error.message, /^DATABASE_URL: /);
      assert.doesNotMatch(error.message, /sekrit/);
      return true;
    });
  });
});

describe('loadConfig: production', () => {
  const good = { NODE_ENV: 'production', SECRET_KEY: 's'.repeat(64), PUBLIC_URL: 'https://pipit.example' };

  it('accepts a secret key and an https public URL, and makes cookies secure', () => {
    const config = load(good);
    assert.equal(config.nodeEnv, 'production');
    assert.equal(config.secretKey, good.SECRET_KEY);
    assert.equal(config.secureCookies, true);
    assert.equal(config.logLevel, 'info');
  });

  it('requires SECRET_KEY', () => {
    assertConfigError({ ...good, SECRET_KEY: undefined }, 'SECRET_KEY');
  });

  it('requires PUBLIC_URL', () => {
    assertConfigError({ ...good, PUBLIC_URL: undefined }, 'PUBLIC_URL');
  });

  it('requires PUBLIC_URL to be https', () => {
    assertConfigError({ ...good, PUBLIC_URL: 'http://pipit.example' }, 'PUBLIC_URL');
  });
});

describe('loadConfig: development secret key', () => {
  it('generates a random key and keeps it in DATA_DIR, readable by the owner only', () => {
    const dataDir = join(tempDir(), 'nested', 'data');
    const config = load({ NODE_ENV: 'development', DATA_DIR: dataDir });
    assert.match(config.secretKey, /^[0-9a-f]{64}$/);
    const file = join(dataDir, 'secret-key');
    assert.equal(readFileSync(file, 'utf8').trim(), config.secretKey);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  it('reuses the kept key on the next start', () => {
    const dataDir = tempDir();
    const first = load({ DATA_DIR: dataDir }).secretKey;
    assert.equal(load({ DATA_DIR: dataDir }).secretKey, first);
  });

  it('differs between data directories', () => {
    assert.notEqual(load({ DATA_DIR: tempDir() }).secretKey, load({ DATA_DIR: tempDir() }).secretKey);
  });

  it('prefers SECRET_KEY when set, writing nothing', () => {
    const dataDir = tempDir();
    assert.equal(load({ DATA_DIR: dataDir, SECRET_KEY: 'x'.repeat(40) }).secretKey, 'x'.repeat(40));
    assert.equal(existsSync(join(dataDir, 'secret-key')), false);
  });
});

describe('loadConfig: database pool, timeouts and shutdown', () => {
  it('has sane defaults', () => {
    const config = load({ NODE_ENV: 'test' });
    assert.equal(config.databasePoolSize, 10);
    assert.equal(config.databaseStatementTimeoutMs, 30_000);
    assert.equal(config.databaseIdleInTransactionTimeoutMs, 60_000);
    assert.equal(config.shutdownDrainSeconds, 2);
  });
  it('reads them, 0 turning a timeout off', () => {
    const config = load({ NODE_ENV: 'test', DATABASE_POOL_SIZE: '25', DATABASE_STATEMENT_TIMEOUT_MS: '0', DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '5000', SHUTDOWN_DRAIN_SECONDS: '0.5' });
    assert.equal(config.databasePoolSize, 25);
    assert.equal(config.databaseStatementTimeoutMs, 0);
    assert.equal(config.databaseIdleInTransactionTimeoutMs, 5000);
    assert.equal(config.shutdownDrainSeconds, 0.5);
  });
  it('names the variable when a value is wrong', () => {
    assertConfigError({ DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE');
    assertConfigError({ DATABASE_POOL_SIZE: 'ten' }, 'DATABASE_POOL_SIZE');
    assertConfigError({ DATABASE_STATEMENT_TIMEOUT_MS: '-1' }, 'DATABASE_STATEMENT_TIMEOUT_MS');
    assertConfigError({ DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '1.5' }, 'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS');
    assertConfigError({ SHUTDOWN_DRAIN_SECONDS: '61' }, 'SHUTDOWN_DRAIN_SECONDS');
  });
});

describe('loadConfig: media storage', () => {
  const s3 = { NODE_ENV: 'test', MEDIA_STORAGE: 's3', S3_BUCKET: 'pipit-media', S3_ACCESS_KEY_ID: 'AKIDEXAMPLE', S3_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI-secret' };

  it('defaults to the local disk, served by Pipit at /media', () => {
    const config = load({ NODE_ENV: 'test', PUBLIC_URL: 'https://pipit.example' });
    assert.equal(config.mediaStorage, 'local');
    assert.equal(config.s3, undefined);
    assert.equal(config.mediaBaseUrl, 'https://pipit.example/media');
    assert.equal(config.mediaServedElsewhere, false);
  });

  it('reads the S3 settings, with us-east-1 and virtual-host style by default', () => {
    const config = load(s3);
    assert.deepEqual(config.s3, { bucket: 'pipit-media', endpoint: undefined, region: 'us-east-1', forcePathStyle: false, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI-secret' } });
    const minio = load({ ...s3, S3_ENDPOINT: 'http://127.0.0.1:9000/', S3_REGION: 'auto', S3_FORCE_PATH_STYLE: 'true' });
    assert.equal(minio.s3?.endpoint, 'http://127.0.0.1:9000');
    assert.equal(minio.s3?.region, 'auto');
    assert.equal(minio.s3?.forcePathStyle, true);
    assert.ok(Object.isFrozen(minio.s3));
  });

  it('leaves credentials to the SDK when neither key is set, and refuses one without the other', () => {
    assert.equal(load({ ...s3, S3_ACCESS_KEY_ID: undefined, S3_SECRET_ACCESS_KEY: undefined }).s3?.credentials, undefined);
    assertConfigError({ ...s3, S3_SECRET_ACCESS_KEY: undefined }, 'S3_SECRET_ACCESS_KEY');
    assertConfigError({ ...s3, S3_ACCESS_KEY_ID: undefined }, 'S3_ACCESS_KEY_ID');
  });

  it('requires S3_BUCKET for s3, and names each bad value', () => {
    assertConfigError({ ...s3, S3_BUCKET: undefined }, 'S3_BUCKET');
    assertConfigError({ ...s3, S3_BUCKET: 'Has_Capitals' }, 'S3_BUCKET');
    assertConfigError({ ...s3, S3_BUCKET: 'x'.repeat(64) }, 'S3_BUCKET');
    assertConfigError({ ...s3, MEDIA_STORAGE: 'ftp' }, 'MEDIA_STORAGE');
    assertConfigError({ ...s3, S3_ENDPOINT: 'minio:9000' }, 'S3_ENDPOINT');
    assertConfigError({ ...s3, S3_REGION: 'Europe West' }, 'S3_REGION');
    assertConfigError({ ...s3, S3_FORCE_PATH_STYLE: 'sometimes' }, 'S3_FORCE_PATH_STYLE');
    assertConfigError({ ...s3, S3_SECRET_ACCESS_KEY: 'x'.repeat(501) }, 'S3_SECRET_ACCESS_KEY');
    assertConfigError({ NODE_ENV: 'test', MEDIA_PUBLIC_URL: 'cdn.example' }, 'MEDIA_PUBLIC_URL');
  });

  it('never echoes the S3 keys', () => {
    for (const variable of ['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY']) {
      assert.throws(() => load({ ...s3, [variable]: 'hunter2-'.repeat(70) }), (error: Error) => {
        assert.match(error.message, new RegExp(`^${variable}: `));
        assert.doesNotMatch(error.message, /hunter2/);
        return true;
      });
    }
  });

  it('MEDIA_PUBLIC_URL: where browsers fetch the files (without a trailing slash), https in production', () => {
    const config = load({ ...s3, MEDIA_PUBLIC_URL: 'https://cdn.example/media/' });
    assert.equal(config.mediaBaseUrl, 'https://cdn.example/media');
    assert.equal(config.mediaServedElsewhere, true);
    const production = { NODE_ENV: 'production', SECRET_KEY: 's'.repeat(64), PUBLIC_URL: 'https://pipit.example' };
    assert.equal(load({ ...production, MEDIA_PUBLIC_URL: 'https://cdn.example' }).mediaBaseUrl, 'https://cdn.example');
    assertConfigError({ ...production, MEDIA_PUBLIC_URL: 'http://cdn.example' }, 'MEDIA_PUBLIC_URL');
  });
});
