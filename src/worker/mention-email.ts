import { escapeHtml, type MentionEmail } from '../core/index.ts';
import type { OutgoingMail } from './mailer.ts';

// The email telling someone they were mentioned: plain text and HTML, the author, the post, a link
// to it, and a one-click unsubscribe link (RFC 8058) that works without logging in.

function name(person: { username: string; displayName: string }): string {
  return person.displayName ? `${person.displayName} (@${person.username})` : `@${person.username}`;
}

/** Renders the mention email for a claimed delivery. */
export function mentionEmail(e: MentionEmail): OutgoingMail {
  const author = name(e.author);
  const subject = `${e.author.displayName || '@' + e.author.username} mentioned you on Pipit`;
  const text = `${author} mentioned you in a post:

${e.postText}

See the post and reply: ${e.postUrl}

--
You get this email because someone mentioned @${e.recipient.username} on Pipit.
Stop these emails (one click, no login): ${e.unsubscribeUrl}
`;
  const quoted = escapeHtml(e.postText).replace(/\n/g, '<br>');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:24px;background:#f7f5f0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1c1917">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border:1px solid #e4dfd4;border-radius:14px;padding:24px">
<p style="margin:0 0 12px"><strong>${escapeHtml(author)}</strong> mentioned you in a post:</p>
<blockquote style="margin:0 0 16px;padding:12px 16px;background:#f1eee6;border-radius:10px">${quoted}</blockquote>
<p style="margin:0 0 24px"><a href="${escapeHtml(e.postUrl)}" style="display:inline-block;background:#0f766e;color:#ffffff;padding:10px 18px;border-radius:999px;text-decoration:none;font-weight:600">See the post</a></p>
<p style="margin:0;color:#6b645c;font-size:13px">You get this email because someone mentioned @${escapeHtml(e.recipient.username)} on Pipit.
<a href="${escapeHtml(e.unsubscribeUrl)}" style="color:#6b645c">Stop these emails</a> (one click, no login needed).</p>
</div>
</body></html>
`;
  return {
    to: e.to,
    subject,
    text,
    html,
    messageId: e.messageId,
    key: `mention-${e.deliveryId}`,
    headers: {
      'List-Unsubscribe': `<${e.unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'Auto-Submitted': 'auto-generated',
    },
  };
}
