import type { Visibility } from '../db/schema.ts';

export const VISIBILITIES: readonly Visibility[] = ['public', 'unlisted', 'private', 'direct'];

export interface VisibilityFacts {
  visibility: Visibility;
  authorId: string;
  /** The viewer's account id, or undefined when logged out. */
  viewerId: string | undefined;
  /** Whether the viewer is mentioned in the post. */
  viewerMentioned: boolean;
  /** Whether the viewer follows the author. */
  viewerFollows: boolean;
}

/** Who may see a post: anyone for public/unlisted; the author, followers (private) and the mentioned. */
export function canSee(f: VisibilityFacts): boolean {
  if (f.visibility === 'public' || f.visibility === 'unlisted') return true;
  if (f.viewerId === undefined) return false;
  if (f.viewerId === f.authorId || f.viewerMentioned) return true;
  return f.visibility === 'private' && f.viewerFollows;
}
