import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Transporter } from 'nodemailer';
import type { Config } from '../core/index.ts';

// Delivery through nodemailer: SMTP when SMTP_URL is set; otherwise each message becomes an .eml
// file under DATA_DIR/mail, so development needs no mail server and every message can be opened.
// nodemailer (~20 MB resident) is loaded, and its transport made, at the first message: most processes
// send none for a long while, and many never.

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers?: Record<string, string>;
  /** For the file name of a written message. */
  key: string;
}

export interface Mailer {
  /** Where mail goes, for the start-up log line (never the SMTP password). */
  readonly target: string;
  /** Resolves once the SMTP server has accepted the message (or the file is written). */
  send(mail: OutgoingMail): Promise<{ response: string; file?: string }>;
  close(): void;
}

export interface MailerOptions {
  /** Bounds on one SMTP conversation, in milliseconds (default from SMTP_TIMEOUT_SECONDS). */
  connectionTimeoutMs?: number;
  socketTimeoutMs?: number;
}

/** The SMTP bounds in force: an attempt's lease on an email must outlast them. */
export function smtpTimeouts(config: Config, options: MailerOptions = {}) {
  const socketTimeoutMs = options.socketTimeoutMs ?? config.smtpTimeoutSeconds * 1000;
  return { connectionTimeoutMs: options.connectionTimeoutMs ?? Math.min(10_000, socketTimeoutMs), socketTimeoutMs };
}

/** Builds the mailer for this configuration. */
export function createMailer(config: Config, options: MailerOptions = {}): Mailer {
  const timeouts = smtpTimeouts(config, options);
  if (config.smtpUrl) {
    const url = new URL(config.smtpUrl);
    const transport = lazyTransport(() => ({
      url: config.smtpUrl,
      // Up to 20 SMTP conversations at once, each connection kept for as many messages as the server
      // lets it send (nodemailer's default reconnects every 100): what `npm run bench:jobs` found fastest.
      pool: true,
      maxConnections: 20,
      maxMessages: Infinity,
      connectionTimeout: timeouts.connectionTimeoutMs,
      greetingTimeout: timeouts.connectionTimeoutMs,
      socketTimeout: timeouts.socketTimeoutMs,
    }));
    return {
      target: `${url.protocol}//${url.hostname}:${url.port || (url.protocol === 'smtps:' ? 465 : 587)}`,
      async send(mail) {
        const info = await (await transport.get()).sendMail({ from: config.mailFrom, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, messageId: mail.messageId, headers: mail.headers ?? {} });
        return { response: String(info.response ?? '') };
      },
      close: () => transport.close(),
    };
  }
  const dir = join(config.dataDir, 'mail');
  const transport = lazyTransport(() => ({ streamTransport: true, buffer: true, newline: 'unix' }));
  return {
    target: dir,
    async send(mail) {
      const info = await (await transport.get()).sendMail({ from: config.mailFrom, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, messageId: mail.messageId, headers: mail.headers ?? {} });
      await mkdir(dir, { recursive: true });
      // The key is ours (a delivery id), never user input, so it is safe in a file name.
      const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${mail.key.replace(/[^A-Za-z0-9_-]/g, '')}.eml`);
      await writeFile(file, info.message as Buffer, { mode: 0o600 });
      return { response: 'written', file };
    },
    close: () => transport.close(),
  };
}

type TransportOptions = Parameters<typeof import('nodemailer').createTransport>[0];

/** A nodemailer transport made on first use; closing one never made loads nothing. */
function lazyTransport(options: () => TransportOptions) {
  let made: Promise<Transporter> | undefined;
  return {
    get(): Promise<Transporter> {
      made ??= import('nodemailer').then(
        (nodemailer) => nodemailer.default.createTransport(options()),
        (error: unknown) => {
          made = undefined;
          throw error;
        },
      );
      return made;
    },
    close(): void {
      void made?.then((transport) => transport.close(), () => {});
    },
  };
}
