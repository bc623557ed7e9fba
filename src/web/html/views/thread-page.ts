import { profilePath, type Post, type ThreadContext } from '../../../core/index.ts';
import { displayName } from './components.ts';
import { composeForm, type ComposeState } from './compose-form.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './layout.ts';
import { postCard } from './post-card.ts';

/**
 * `/@username/:id`: one post in its conversation — the posts it answers above (oldest first), the post
 * itself highlighted, the reply box for a logged-in viewer, then the replies.
 */
export function postPage(page: PageContext, post: Post, thread: ThreadContext, compose: ComposeState): SafeHtml {
  const a = post.account;
  const excerpt = post.text.length > 80 ? `${post.text.slice(0, 80)}…` : post.text;
  const path = (page.path ?? '').split('?')[0]!.split('#')[0]!;
  return layout(page, {
    title: `${displayName(a)}: “${post.spoilerText || excerpt}”`,
    description: post.spoilerText || excerpt,
    body: html`<p class="back"><a href="${profilePath(a.username)}">← More from @${a.username}</a></p>
${thread.ancestors.length ? html`<section class="thread-ancestors" aria-label="Earlier in the conversation"><div class="feed">${thread.ancestors.map((p) => postCard(page, p))}</div></section>` : ''}
${postCard(page, post, { focused: true })}
${page.viewer ? composeForm(page, compose, { inReplyTo: post, returnTo: path }) : html`<p class="reply-login"><a href="/auth/sign_in?return_to=${encodeURIComponent(path)}">Log in</a> to reply.</p>`}
<section class="thread-replies" aria-labelledby="replies-heading">
  <h2 id="replies-heading" class="section-title">Replies</h2>
  ${thread.descendants.length ? html`<div class="feed">${thread.descendants.map((p) => postCard(page, p))}</div>` : html`<p class="empty">No replies yet.</p>`}
</section>`,
  });
}
