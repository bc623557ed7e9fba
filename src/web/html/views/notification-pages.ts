import { profilePath, type Notification } from '../../../core/index.ts';
import { avatar, csrfField, displayName, isPaged, pager, type ListPage } from './components.ts';
import { postCard } from './post-card.ts';
import { fullTime, relativeTime } from './format.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';

type Kind = Notification['type'] | 'reply';

// Each kind has a word (the verb, read by everyone) and a small mark of its own beside the avatar.
const NOTIFICATION_VERBS: Record<Kind, string> = {
  mention: 'mentioned you',
  reply: 'replied to your post',
  follow: 'followed you',
  favourite: 'favourited your post',
  reblog: 'boosted your post',
  update: 'edited a post you boosted',
};
const NOTIFICATION_MARKS: Record<Kind, string> = { mention: '@', reply: '↩', follow: '+', favourite: '★', reblog: '⟲', update: '✎' };

/** A reply is a mention of the person replied to (as on Mastodon); the page names it for what it is. */
function kindOf(n: Notification, viewerId: string): Kind {
  return n.type === 'mention' && n.post?.inReplyToAccountId === viewerId ? 'reply' : n.type;
}

/** `/notifications`: who followed, mentioned, replied to, favourited or boosted the viewer, newest first. */
export function notificationsPage(page: PageContext, list: ListPage<Notification>): SafeHtml {
  const items = list.items;
  const paged = isPaged(list);
  const pagerHtml = pager(list, { basePath: '/notifications', newer: 'Newer notifications', older: 'Older notifications' });
  return layout(page, {
    title: 'Notifications',
    body: html`<h1 class="page-title">Notifications</h1>
${
  items.length === 0
    ? html`<div class="empty"><p>${paged ? 'No more notifications this way.' : 'Nothing yet. When someone follows you, mentions you with @' + page.viewer!.username + ', replies to, favourites or boosts your posts, it shows up here.'}</p></div>${paged ? pagerHtml : ''}`
    : html`<div class="feed notifications">${items.map(
        (n) => {
          const kind = kindOf(n, page.viewer!.id);
          return html`<div class="notification notification-${kind}${n.readAt ? '' : ' notification-unread'}">
  <p class="notification-line"><span class="notification-mark" aria-hidden="true">${NOTIFICATION_MARKS[kind]}</span>${avatar(n.from)} <span><a href="${profilePath(n.from.username)}"><strong>${displayName(n.from)}</strong></a> ${NOTIFICATION_VERBS[kind]} · <time datetime="${n.createdAt.toISOString()}" title="${fullTime(n.createdAt)}">${relativeTime(n.createdAt)}</time>${n.readAt ? '' : html` <span class="badge">New</span>`}</span></p>
  ${n.post ? postCard(page, n.post) : ''}
</div>`;
        },
      )}</div>
${pagerHtml}`
}
<p class="hint notifications-settings"><a href="/settings">Email settings</a></p>`,
  });
}

/** `/settings`: the email notification toggle. */
export function settingsPage(page: PageContext, settings: { emailNotifications: boolean }, options: { saved?: boolean } = {}): SafeHtml {
  return layout(page, {
    title: 'Settings',
    body: html`<section class="auth-card settings-card" aria-labelledby="settings-title">
  <h1 id="settings-title">Settings</h1>
  ${options.saved ? html`<div class="alert alert-success" role="status">Saved.</div>` : ''}
  <form method="post" action="/settings">
    ${csrfField(page)}
    <fieldset class="field">
      <legend>Email</legend>
      <label class="checkbox"><input type="checkbox" name="email_notifications" value="on"${settings.emailNotifications ? html` checked` : ''}> Email me when someone mentions me</label>
      <p class="hint">Each email has a one-click link to stop them.</p>
    </fieldset>
    <button type="submit" class="button">Save</button>
  </form>
</section>`,
  });
}

/** `/unsubscribe/:token`: confirm (GET) and done (after POST). Works logged out. */
export function unsubscribePage(page: PageContext, options: { token: string; username: string; done: boolean }): SafeHtml {
  return layout(page, {
    title: 'Stop mention emails',
    body: html`<section class="auth-card" aria-labelledby="unsubscribe-title">
  <h1 id="unsubscribe-title">${options.done ? 'You will get no more mention emails' : 'Stop mention emails?'}</h1>
  ${
    options.done
      ? html`<p class="lead">@${options.username} will not be emailed about mentions any more. Mentions still show on the <a href="/notifications">notifications page</a>, and you can turn emails back on in <a href="/settings">settings</a>.</p>`
      : html`<p class="lead">Pipit emails @${options.username} when someone mentions them. One click stops that.</p>
  <form method="post" action="/unsubscribe/${options.token}">
    <button type="submit" class="button button-block">Stop mention emails</button>
  </form>`
  }
</section>`,
  });
}
