import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Visibility } from '../../src/core/db/schema.ts';
import { VISIBILITIES, canSee, type VisibilityFacts } from '../../src/core/domain/visibility.ts';

const AUTHOR = '100';
const OTHER = '200';

function facts(visibility: Visibility, overrides: Partial<VisibilityFacts> = {}): VisibilityFacts {
  return { visibility, authorId: AUTHOR, viewerId: OTHER, viewerMentioned: false, viewerFollows: false, ...overrides };
}

describe('canSee', () => {
  it('lists the four Mastodon visibilities', () => {
    assert.deepEqual([...VISIBILITIES].sort(), ['direct', 'private', 'public', 'unlisted']);
  });

  it('shows public and unlisted posts to everyone, logged out included', () => {
    for (const visibility of ['public', 'unlisted'] as const) {
      assert.equal(canSee(facts(visibility, { viewerId: undefined })), true, visibility);
      assert.equal(canSee(facts(visibility)), true, visibility);
    }
  });

  it('hides private and direct posts from logged-out visitors', () => {
    assert.equal(canSee(facts('private', { viewerId: undefined })), false);
    assert.equal(canSee(facts('direct', { viewerId: undefined })), false);
  });

  it('always shows authors their own posts', () => {
    for (const visibility of VISIBILITIES) assert.equal(canSee(facts(visibility, { viewerId: AUTHOR })), true, visibility);
  });

  it('shows private posts to followers and the mentioned only', () => {
    assert.equal(canSee(facts('private')), false);
    assert.equal(canSee(facts('private', { viewerFollows: true })), true);
    assert.equal(canSee(facts('private', { viewerMentioned: true })), true);
  });

  it('shows direct posts to the mentioned, never to followers as such', () => {
    assert.equal(canSee(facts('direct')), false);
    assert.equal(canSee(facts('direct', { viewerFollows: true })), false);
    assert.equal(canSee(facts('direct', { viewerMentioned: true })), true);
  });

  it('ignores claims of following or mentions for a logged-out visitor', () => {
    assert.equal(canSee(facts('private', { viewerId: undefined, viewerFollows: true, viewerMentioned: true })), false);
  });
});
