import { mediaPath, postPath, profilePath, type MediaAttachment, type PostCard } from '../../../core/index.ts';
import { avatar, displayName, icon, isPaged, pager, type ListPage } from './components.ts';
import { fullTime, relativeTime } from './format.ts';
import { html, raw, type SafeHtml } from './html.ts';
import type { PageContext } from './layout.ts';
import { postActions } from './post-actions.ts';
import { blurhashPath } from '../../media/blurhash-png.ts';

export const VISIBILITY_LABEL = { public: 'Public', unlisted: 'Unlisted', private: 'Followers only', direct: 'Mentioned people only' };

export interface PostCardOptions {
  /** The post of its own page: a larger card with the full date, the heading of the page. */
  focused?: boolean;
  /** Shown on the delete question: no buttons. */
  confirming?: boolean;
}

/**
 * One post as a card: author, time (linking to the post), content (behind its content warning), and
 * the buttons. A boost shows the boosted post under "Boosted by …"; its buttons act on that post.
 * Ids in the card are made from the card's own post (the boost), so a post and a boost of it can share a page.
 */
export function postCard(page: PageContext, card: PostCard, options: PostCardOptions = {}): SafeHtml {
  const post = card.reblog ?? card;
  const key = card.id;
  const a = post.account;
  const permalink = postPath(a.username, post.id);
  const heading = options.focused ? 'h1' : 'h2';
  // What people write may be right-to-left (dir="auto" lets the browser see it) and in any language.
  const lang = post.language ? html` lang="${post.language}"` : '';
  // Pictures of a post marked sensitive stay folded until asked for (under a content warning they already are).
  const grid = mediaGrid(post.media, page.motionOk ?? false);
  const pictures = grid && post.sensitive && !post.spoilerText ? html`<details class="post-sensitive"><summary>Sensitive pictures: show</summary>${grid}</details>` : grid;
  const content = html`<div class="post-content" dir="auto"${lang}>${raw(post.contentHtml)}</div>${pictures}`;
  const booster = card.reblog ? card.account : undefined;
  return html`<article class="post${options.focused ? ' post-focused' : ''}${booster ? ' post-boost' : ''}" id="p-${key}" aria-labelledby="post-${key}-author">
  ${booster ? html`<p class="post-boosted">${icon('boost')} <a href="${profilePath(booster.username)}">${displayName(booster)}</a> boosted</p>` : ''}
  <a href="${profilePath(a.username)}" class="post-avatar" tabindex="-1" aria-hidden="true">${avatar(a)}</a>
  <div class="post-body">
    <header class="post-header">
      <${raw(heading)} class="post-author" id="post-${key}-author">
        <a href="${profilePath(a.username)}"><span class="display-name">${displayName(a)}</span> <span class="handle">@${a.username}</span></a>
      </${raw(heading)}>
      ${options.focused ? '' : html`<a href="${permalink}" class="post-time"><time datetime="${post.createdAt.toISOString()}" title="${fullTime(post.createdAt)}">${relativeTime(post.createdAt)}</time></a>${editedMark(post)}`}
    </header>
    ${post.inReplyToId ? html`<p class="post-context">Replying to a <a href="${postPath(a.username, post.inReplyToId)}">post</a></p>` : ''}
    ${
      post.spoilerText
        ? html`<details class="post-cw"><summary><span class="post-cw-label">Content warning:</span> <span dir="auto"${lang}>${post.spoilerText}</span> <span class="post-cw-toggle post-cw-show">Show post</span><span class="post-cw-toggle post-cw-hide">Hide post</span></summary>${content}</details>`
        : content
    }
    ${
      options.focused
        ? html`<p class="post-date"><a href="${permalink}"><time datetime="${post.createdAt.toISOString()}">${fullTime(post.createdAt)}</time></a>${
            post.editedAt ? html`<span class="post-edited"> · edited <time datetime="${post.editedAt.toISOString()}">${fullTime(post.editedAt)}</time></span>` : ''
          }</p>`
        : ''
    }
    ${postActions(page, post, { key, confirming: options.confirming ?? false, visibilityLabel: post.visibility === 'public' ? undefined : VISIBILITY_LABEL[post.visibility] })}
  </div>
</article>`;
}

/**
 * A post's attachments, 1–4 in a grid: each picture a preview of its own proportions (width and height
 * given, so the page does not jump as they load) with its description as alt text, linking to the
 * original; while a preview loads, its blurhash shows through it (an image of its own: the CSP allows no
 * inline styles). A video plays in place with controls, its poster frame shown until asked for (nothing
 * is fetched before: `preload="none"`); an animated GIF (gifv) is a silent loop that plays by itself only
 * where the reader has not asked for reduced motion (PageContext.motionOk); audio has the player's
 * controls. Each links to its file, for browsers that cannot play it. One still being processed, or one
 * that failed, shows a box that says so, never a broken image or player.
 */
function mediaGrid(media: readonly MediaAttachment[], motionOk: boolean): SafeHtml | '' {
  if (media.length === 0) return '';
  return html`<ul class="post-media post-media-${media.length}">${media.map((m) => html`<li>${mediaItem(m, motionOk)}</li>`)}</ul>`;
}

const KIND_WORDS = {
  image: { noun: 'picture', without: 'A picture without a description' },
  unknown: { noun: 'picture', without: 'A picture without a description' },
  video: { noun: 'video', without: 'A video without a description' },
  gifv: { noun: 'animation', without: 'An animation without a description' },
  audio: { noun: 'audio file', without: 'Audio without a description' },
} as const;

function mediaItem(m: MediaAttachment, motionOk: boolean): SafeHtml {
  const words = KIND_WORDS[m.type];
  const alt = m.description || words.without;
  const poster = m.type !== 'audio';
  if (m.state !== 'ready' || !m.originalKey || (poster && !m.smallKey)) {
    const failed = m.state === 'failed';
    const article = words.noun === 'audio file' || words.noun === 'animation' ? 'An' : 'A';
    return html`<div class="media-placeholder${failed ? ' media-failed' : ''}" role="img" aria-label="${article} ${words.noun} ${failed ? 'that could not be processed' : 'still being processed'}: ${alt}">
      <span aria-hidden="true">${failed ? `This ${words.noun} could not be processed.` : `Processing the ${words.noun}…`}</span></div>`;
  }
  const size = m.meta.small ? html` width="${m.meta.small.width}" height="${m.meta.small.height}"` : '';
  const fallback = html`<a href="${mediaPath(m.originalKey)}">Download the ${words.noun}</a>`;
  if (m.type === 'audio') {
    return html`<div class="media-audio"><audio controls preload="none" src="${mediaPath(m.originalKey)}" aria-label="${alt}">${fallback}</audio></div>`;
  }
  if (m.type === 'video' || m.type === 'gifv') {
    const posterPath = mediaPath(m.smallKey!);
    const playback = m.type === 'gifv' ? html` muted loop playsinline${motionOk ? html` autoplay` : ''} preload="${motionOk ? 'auto' : 'none'}"` : html` preload="none"`;
    return html`<div class="media-player"><video class="media-${m.type}" controls${playback} poster="${posterPath}" src="${mediaPath(m.originalKey)}" aria-label="${alt}"${size}>${fallback}</video></div>`;
  }
  const blur = m.blurhash ? html`<img class="media-blur" src="${blurhashPath(m.blurhash)}" alt="" aria-hidden="true"${size}>` : '';
  return html`<a href="${mediaPath(m.originalKey)}" class="media-link">${blur}<img class="media-image" src="${mediaPath(m.smallKey!)}" alt="${alt}"${size} loading="lazy"></a>`;
}

/** "edited" beside the time of a post that was, with when as its tooltip and machine-readable time. */
function editedMark(post: PostCard): SafeHtml | '' {
  if (!post.editedAt) return '';
  const when = fullTime(post.editedAt);
  return html` <span class="post-edited" title="Edited ${when}">· edited<span class="visually-hidden"> <time datetime="${post.editedAt.toISOString()}">${when}</time></span></span>`;
}

/** A list of posts with "Newer posts" and "Older posts" links. */
export function postList(page: PageContext, list: ListPage<PostCard>, options: { basePath: string; empty: SafeHtml }): SafeHtml {
  return entryList(page, { ...list, items: list.items.map((post) => ({ id: post.id, post })) }, options);
}

/** Posts in a list paged by another id (a bookmark's, a favourite's): `id` is the cursor, `post` the card. */
export function entryList(page: PageContext, list: ListPage<{ id: string; post: PostCard }>, options: { basePath: string; empty: SafeHtml }): SafeHtml {
  const pagerHtml = pager(list, { basePath: options.basePath, newer: 'Newer posts', older: 'Older posts' });
  if (list.items.length === 0) return html`<div class="empty">${isPaged(list) ? html`<p>No more posts this way.</p>` : options.empty}</div>${pagerHtml}`;
  return html`<div class="feed">${list.items.map((entry) => postCard(page, entry.post))}</div>
${pagerHtml}`;
}
