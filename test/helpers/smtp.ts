import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { waitFor } from './wait.ts';

// A real SMTP server in the test process (the `smtp-server` package): it receives what Pipit sends,
// and can refuse for a while or hang mid-conversation, as real servers do.

export interface ReceivedMail {
  to: string[];
  raw: string;
  messageId: string;
  subject: string;
  /** A header's value (first occurrence, unfolded), or undefined. */
  header(name: string): string | undefined;
  receivedAt: number;
}

export interface TestSmtp {
  readonly url: string;
  readonly received: ReceivedMail[];
  /** Answer RCPT with a temporary failure (451) while set. */
  refusing: boolean;
  /** Hold every RCPT without answering while set (a slow or stuck server). */
  hanging: boolean;
  /** How many RCPT commands are being held right now (on connections the client still has open). */
  readonly held: number;
  /** Every RCPT address the server was given, in order, whatever it answered (one per attempt). */
  readonly attempted: readonly string[];
  /** Resolves when `predicate` holds (checked every 20 ms), or rejects after `timeoutMs` (default 30 s) naming `what`. */
  waitFor(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

function parseHeaders(raw: string): Map<string, string> {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of unfolded.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) {
      const name = line.slice(0, i).trim().toLowerCase();
      if (!headers.has(name)) headers.set(name, line.slice(i + 1).trim());
    }
  }
  return headers;
}

/** Starts an SMTP server on a free loopback port. */
export async function startTestSmtp(): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  /** The RCPT commands held unanswered, by connection: a client that gives up closes its connection. */
  const heldBySession = new Map<string, number>();
  const attempted: string[] = [];
  const state = { refusing: false, hanging: false };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    closeTimeout: 200,
    onRcptTo(address, session: SMTPServerSession, callback) {
      attempted.push(address.address);
      if (state.refusing) return callback(Object.assign(new Error('Try again later (test server refusing)'), { responseCode: 451 }));
      if (state.hanging) {
        // Never answered: the client is meant to die (or time out) while waiting.
        heldBySession.set(session.id, (heldBySession.get(session.id) ?? 0) + 1);
        return;
      }
      callback();
    },
    onClose(session: SMTPServerSession) {
      heldBySession.delete(session.id);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const headers = parseHeaders(raw);
        received.push({
          to: (session.envelope.rcptTo ?? []).map((r) => r.address),
          raw,
          messageId: headers.get('message-id') ?? '',
          subject: headers.get('subject') ?? '',
          header: (name) => headers.get(name.toLowerCase()),
          receivedAt: Date.now(),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.on('error', () => {});
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    get refusing() {
      return state.refusing;
    },
    set refusing(value: boolean) {
      state.refusing = value;
    },
    get hanging() {
      return state.hanging;
    },
    set hanging(value: boolean) {
      state.hanging = value;
    },
    get held() {
      return [...heldBySession.values()].reduce((sum, n) => sum + n, 0);
    },
    attempted,
    async waitFor(predicate, timeoutMs = 30_000, what = 'condition') {
      await waitFor(predicate, { what, timeoutMs, intervalMs: 20, describe: () => `${received.length} messages received, ${[...heldBySession.values()].reduce((sum, n) => sum + n, 0)} held now, ${attempted.length} RCPTs in all` });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
