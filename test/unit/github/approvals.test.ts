import { describe, expect, it } from 'vitest';
import { judgeApprovals, type Review } from '../../../src/github/approvals.js';

const HEAD = 'a'.repeat(40);
const OLD = 'b'.repeat(40);
const review = (login: string, state: string, commit = HEAD, type = 'User'): Review => ({ user: { login, type }, state, commit_id: commit });
const writers = new Map(['bob', 'carol', 'dave', 'author', 'ci-bot[bot]'].map((login) => [login, 'write']));
const policy = { headSha: HEAD, author: 'author', required: 1, permissions: writers };

describe('judgeApprovals', () => {
  it('counts an approval of the head by someone other than the author', () => {
    const judgement = judgeApprovals([review('bob', 'APPROVED')], policy);
    expect(judgement).toMatchObject({ ok: true, approvedBy: ['bob'] });
  });

  it('does not count an approval of an older head', () => {
    const judgement = judgeApprovals([review('bob', 'APPROVED', OLD)], policy);
    expect(judgement.ok).toBe(false);
    expect(judgement.notCounted[0]).toContain('not the head');
  });

  it('lets a later request for changes cancel an approval, and a later approval restore it', () => {
    expect(judgeApprovals([review('bob', 'APPROVED'), review('bob', 'CHANGES_REQUESTED')], policy).ok).toBe(false);
    expect(judgeApprovals([review('bob', 'CHANGES_REQUESTED'), review('bob', 'APPROVED')], policy).ok).toBe(true);
  });

  it('treats a dismissed review as cancelling, and a later comment as not', () => {
    expect(judgeApprovals([review('bob', 'APPROVED'), review('bob', 'DISMISSED')], policy).ok).toBe(false);
    expect(judgeApprovals([review('bob', 'APPROVED'), review('bob', 'COMMENTED'), review('bob', 'PENDING')], policy).ok).toBe(true);
  });

  it("never counts the author's own approval, whatever the case of the login", () => {
    const judgement = judgeApprovals([review('Author', 'APPROVED')], policy);
    expect(judgement.ok).toBe(false);
    expect(judgement.approvedBy).toEqual([]);
  });

  it('counts only listed approvers when --approvers is given', () => {
    const reviews = [review('bob', 'APPROVED'), review('carol', 'APPROVED')];
    expect(judgeApprovals(reviews, { ...policy, approvers: ['Carol'] }).approvedBy).toEqual(['carol']);
    expect(judgeApprovals(reviews, { ...policy, approvers: ['dave'] }).ok).toBe(false);
  });

  it('needs as many distinct reviewers as required; one reviewer approving twice counts once', () => {
    const reviews = [review('bob', 'APPROVED'), review('bob', 'APPROVED')];
    expect(judgeApprovals(reviews, { ...policy, required: 2 }).ok).toBe(false);
    expect(judgeApprovals([...reviews, review('carol', 'APPROVED')], { ...policy, required: 2 }).approvedBy).toEqual(['bob', 'carol']);
  });

  it('ignores reviews by deleted users', () => {
    expect(judgeApprovals([{ user: null, state: 'APPROVED', commit_id: HEAD }], policy).ok).toBe(false);
  });

  it('counts only reviewers with write, maintain or admin access (author_association is not a permission)', () => {
    const permissions = new Map([['bob', 'read'], ['carol', 'triage'], ['dave', 'maintain'], ['erin', 'admin']]);
    const reviews = ['bob', 'carol', 'dave', 'erin', 'frank'].map((login) => review(login, 'APPROVED'));
    expect(judgeApprovals(reviews, { ...policy, permissions, required: 1 }).approvedBy).toEqual(['dave', 'erin']);
    expect(judgeApprovals([review('bob', 'APPROVED')], { ...policy, permissions }).ok).toBe(false);
  });

  it('never counts a bot unless bots are allowed, and never a non-user', () => {
    expect(judgeApprovals([review('ci-bot[bot]', 'APPROVED', HEAD, 'Bot')], policy).ok).toBe(false);
    expect(judgeApprovals([review('ci-bot[bot]', 'APPROVED', HEAD, 'Bot')], { ...policy, allowBots: true }).ok).toBe(true);
    expect(judgeApprovals([review('bob', 'APPROVED', HEAD, 'Organization')], { ...policy, allowBots: true }).ok).toBe(false);
  });

  it("a writer's standing request for changes blocks however many approve; a reader's does not", () => {
    const reviews = [review('bob', 'APPROVED'), review('carol', 'CHANGES_REQUESTED')];
    expect(judgeApprovals(reviews, policy)).toMatchObject({ ok: false, approvedBy: ['bob'], changesRequestedBy: ['carol'] });
    const permissions = new Map([['bob', 'write'], ['carol', 'read']]);
    expect(judgeApprovals(reviews, { ...policy, permissions })).toMatchObject({ ok: true, changesRequestedBy: [] });
  });
});
