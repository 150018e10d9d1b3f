// Organizations (--organization): BetterAuth's organization plugin (better-auth 1.7.25, no teams)
// as a user sees it over HTTP. A signed-in user creates an organization and owns it; owners and
// admins invite others by e-mail (the mail carries a link to the invitation); an invited user
// who signs in with that address, once it is verified, accepts and becomes a member with the
// invitation's role. The roles decide who may update, delete, invite, cancel, change roles and
// remove members. The answers are the plugin's JSON (checked against BetterAuth's own server on
// the same database, SQLite and, with PORTCULLIS_TEST_POSTGRES, PostgreSQL, and against its
// organizationClient()), except where Portcullis is safer on purpose (auth/organization.h): every
// error is {message, code}, with one status per code; a verified address is needed to see or
// answer an invitation; deleting an organization or removing a member unsets it as the active
// organization of every session concerned; a canceled invitation that was already answered stays
// as it was; list-members takes no sorting or filtering.
//
// Mail is sent by a background queue: the tests wait for the outbox file, never for a fixed time,
// and show that a request sent NO mail with a later mail as a barrier (the queue keeps order).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { organization } from 'better-auth/plugins';
import { organizationClient } from 'better-auth/client/plugins';
import { getMigrations } from 'better-auth/db/migration';

import { betterAuthOnPostgres, betterAuthOnSqlite, browserClient, psql, serveBetterAuth, sqliteCli } from '../support/betterauth.mjs';
import { Browser, dump, expectMail, mailsTo, outboxMails, rawRequest, sql, startServer, waitFor, withServer } from '../support/server.mjs';
import { errorAsserter } from '../support/assert.mjs';

const APP = 'http://localhost:3000';  // the page's origin, trusted
const PASSWORD = 'organization test passphrase';
// Organizations, mail to the outbox, and a verification link mailed at sign-up (verify() follows it).
const ORG = { organization: true, trustedOrigins: [APP], mail: 'outbox', sendVerificationOnSignUp: true };
const BETTER_AUTH_OPTIONS = { baseURL: APP, trustedOrigins: [APP] };
const SESSION = 'better-auth.session_token';
const ID = /^[A-Za-z0-9]{32}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const HOURS_48 = 48 * 3600 * 1000;

const ORG_KEYS = ['createdAt', 'id', 'logo', 'metadata', 'name', 'slug'];
const MEMBER_KEYS = ['createdAt', 'id', 'organizationId', 'role', 'userId'];
const INVITATION_KEYS = ['createdAt', 'email', 'expiresAt', 'id', 'inviterId', 'organizationId', 'role', 'status'];
const USER_KEYS = ['email', 'id', 'image', 'name'];

// The plugin's messages (error-codes.mjs), which Portcullis sends with each code.
const MESSAGES = {
  UNAUTHORIZED: 'Unauthorized',
  YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_ORGANIZATION: 'You are not allowed to create a new organization',
  YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_ORGANIZATIONS: 'You have reached the maximum number of organizations',
  ORGANIZATION_ALREADY_EXISTS: 'Organization already exists',
  ORGANIZATION_SLUG_ALREADY_TAKEN: 'Organization slug already taken',
  USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION: 'User is not a member of the organization',
  YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION: 'You are not allowed to update this organization',
  YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION: 'You are not allowed to delete this organization',
  NO_ACTIVE_ORGANIZATION: 'No active organization',
  USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION: 'User is already a member of this organization',
  MEMBER_NOT_FOUND: 'Member not found',
  YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER: 'You cannot leave the organization as the only owner',
  YOU_CANNOT_LEAVE_THE_ORGANIZATION_WITHOUT_AN_OWNER: 'You cannot leave the organization without an owner',
  YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER: 'You are not allowed to delete this member',
  YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION: 'You are not allowed to invite users to this organization',
  USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION: 'User is already invited to this organization',
  YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION: 'You are not the recipient of the invitation',
  EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION: 'Email verification required before accepting or rejecting invitation',
  EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION: 'Email verification required to view or list invitations for the session email',
  YOU_ARE_NOT_ALLOWED_TO_CANCEL_THIS_INVITATION: 'You are not allowed to cancel this invitation',
  YOU_ARE_NOT_ALLOWED_TO_LIST_INVITATIONS: 'You are not allowed to list invitations for this organization',
  INVITER_IS_NO_LONGER_A_MEMBER_OF_THE_ORGANIZATION: 'Inviter is no longer a member of the organization',
  YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE: 'You are not allowed to invite a user with this role',
  YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER: 'You are not allowed to update this member',
  ORGANIZATION_MEMBERSHIP_LIMIT_REACHED: 'Organization membership limit reached',
  INVITATION_LIMIT_REACHED: 'Invitation limit reached',
  YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION: 'You are not a member of this organization',
  INVALID_EMAIL: 'Invalid email',
};

const assertError = errorAsserter(MESSAGES);

function assertOk(res) {
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

const keys = (o) => Object.keys(o).sort();
const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const q = (params) => `?${new URLSearchParams(params)}`;

let users = 0;
let slugs = 0;
const freshEmail = (tag = 'org') => `${tag}-${++users}-${process.pid}@example.com`;
const freshSlug = (tag = 'acme') => `${tag}-${++slugs}-${process.pid}`;

/** Follows the verification link mailed to `email` at sign-up (the servers here mail one). */
async function verify(s, email) {
  const mail = await waitFor(() => mailsTo(s, email, 'verify-email')[0], { what: `the verification mail to ${email}` });
  const res = await rawRequest(mail.link);
  assert.ok(res.status < 400, `verify-email: ${res.status} ${res.text}`);
}

/** A new user signed up in a browser on APP; `verified`: after following the mailed link. */
async function signUp(s, { verified = false, name = 'Ada Lovelace', email = freshEmail() } = {}) {
  const browser = new Browser(s.api, { origin: APP });
  const res = await browser.post('/sign-up/email', { name, email, password: PASSWORD });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  if (verified) {
    await verify(s, email);
    assert.equal((await browser.get('/get-session')).body.user.emailVerified, true, 'the session sees the address verified');
  }
  return { email, name, browser, id: res.body.user.id };
}

/** Another session (a second device) of `user`. */
async function signIn(s, user) {
  const browser = new Browser(s.api, { origin: APP });
  assertOk(await browser.post('/sign-in/email', { email: user.email, password: PASSWORD }));
  return { ...user, browser };
}

/** The session's active organization, as get-session answers it. */
async function activeOf(user) {
  const res = await user.browser.get('/get-session');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.ok('activeOrganizationId' in res.body.session, JSON.stringify(res.body.session));
  return res.body.session.activeOrganizationId;
}

/** Creates an organization as `user` (asserted 200); returns the answer. */
async function create(user, body = {}) {
  return assertOk(await user.browser.post('/organization/create', { name: 'Acme', slug: freshSlug(), ...body }));
}

/** Invites `email` as `by` (asserted 200); returns the invitation. */
async function invite(by, email, role = 'member', extra = {}) {
  return assertOk(await by.browser.post('/organization/invite-member', { email, role, ...extra }));
}

/** A new verified user, invited by `inviter` to `organizationId` with `role`, who accepted; with memberId. */
async function join(s, inviter, organizationId, role = 'member', { name } = {}) {
  const user = await signUp(s, { verified: true, name });
  const inv = await invite(inviter, user.email, role, { organizationId });
  const accepted = assertOk(await user.browser.post('/organization/accept-invitation', { invitationId: inv.id }));
  return { ...user, memberId: accepted.member.id, invitationId: inv.id };
}

/** An owner (verified) with a new organization, and members who joined with `roles`. */
async function team(s, roles = [], body = {}) {
  const owner = await signUp(s, { verified: true, name: 'Olivia Owner' });
  const org = await create(owner, body);
  owner.memberId = org.members[0].id;
  const members = [];
  for (const role of roles) members.push(await join(s, owner, org.id, role, { name: `${role} ${members.length}` }));
  return { owner, org, members };
}

/** The same browser (cookies and all) pointed at another server. */
const sameBrowser = (browser, api) => Object.assign(new Browser(api, { origin: APP }), { jar: browser.jar });

function assertOrganization(o, { parsedMetadata = false } = {}) {
  const expected = parsedMetadata ? ORG_KEYS.filter((k) => k !== 'metadata' || 'metadata' in o) : ORG_KEYS;
  assert.deepEqual(keys(o).filter((k) => k !== 'members' && k !== 'invitations'), expected, JSON.stringify(o));
  assert.match(o.id, ID);
  assert.match(o.createdAt, ISO);
}

function assertMember(m, { user } = {}) {
  assert.deepEqual(keys(m), user ? [...MEMBER_KEYS, 'user'].sort() : MEMBER_KEYS, JSON.stringify(m));
  assert.match(m.id, ID);
  assert.match(m.createdAt, ISO);
  if (user) assert.deepEqual(m.user, { id: user.id, name: user.name, email: user.email, image: null });
}

function assertInvitation(i) {
  assert.deepEqual(keys(i), INVITATION_KEYS, JSON.stringify(i));
  assert.match(i.id, ID);
  assert.match(i.createdAt, ISO);
  assert.match(i.expiresAt, ISO);
}

const count = (s, table, where) => sql(s.db, `select count(*) as n from "${table}" where ${where}`)[0].n;

// ---------------------------------------------------------------------------------------------

let server;  // --organization, mail to the outbox, the verification link mailed at sign-up
before(async () => {
  server = await startServer(ORG);
});
after(async () => {
  await server?.stop();
});

describe('organizations', () => {
  test('create: the caller is its owner, the metadata comes back as an object, and it becomes the active organization (not with keepCurrentActiveOrganization)', async () => {
    const u = await signUp(server, { name: 'Grace Hopper' });
    assert.equal(await activeOf(u), null, 'no active organization at first');
    const before = Date.now();
    const slug = freshSlug();
    const org = await create(u, { name: 'Acme Inc.', slug, logo: 'https://example.com/logo.png', metadata: { plan: 'pro', seats: 5 } });
    assertOrganization(org, { parsedMetadata: true });
    assert.equal(org.name, 'Acme Inc.');
    assert.equal(org.slug, slug);
    assert.equal(org.logo, 'https://example.com/logo.png');
    assert.deepEqual(org.metadata, { plan: 'pro', seats: 5 });
    assert.ok(Date.parse(org.createdAt) >= before - 1000 && Date.parse(org.createdAt) <= Date.now() + 1000);
    assert.equal(org.members.length, 1);
    assertMember(org.members[0]);
    assert.deepEqual({ ...org.members[0], id: undefined, createdAt: undefined }, { id: undefined, createdAt: undefined, organizationId: org.id, userId: u.id, role: 'owner' });
    assert.equal(await activeOf(u), org.id);
    // Stored as BetterAuth stores it: the metadata as JSON text.
    assert.deepEqual(JSON.parse(sql(server.db, `select metadata from organization where id = '${org.id}'`)[0].metadata), { plan: 'pro', seats: 5 });

    // Without metadata the key is left out (as the plugin answers); the active organization stays.
    const other = await create(u, { name: 'Side project', keepCurrentActiveOrganization: true });
    assert.equal('metadata' in other, false, JSON.stringify(other));
    assert.equal(other.logo, null);
    assert.equal(await activeOf(u), org.id, 'keepCurrentActiveOrganization keeps the first one active');
    // A name or slug of 256 bytes is fine.
    const long = await create(u, { name: 'é'.repeat(128), slug: 's'.repeat(256), keepCurrentActiveOrganization: true });
    assert.equal(long.name, 'é'.repeat(128));
    assert.deepEqual((await u.browser.get('/organization/list')).body.map((o) => o.id).sort(), [org.id, other.id, long.id].sort());
  });

  test('check-slug, and a slug taken: ORGANIZATION_SLUG_ALREADY_TAKEN there, ORGANIZATION_ALREADY_EXISTS on create, nothing written', async () => {
    const a = await signUp(server);
    const b = await signUp(server);
    const slug = freshSlug();
    assert.deepEqual(assertOk(await a.browser.post('/organization/check-slug', { slug })), { status: true });
    await create(a, { slug });
    assertError(await a.browser.post('/organization/check-slug', { slug }), 400, 'ORGANIZATION_SLUG_ALREADY_TAKEN');
    assertError(await b.browser.post('/organization/check-slug', { slug }), 400, 'ORGANIZATION_SLUG_ALREADY_TAKEN');
    const before = dump(server.db);
    assertError(await b.browser.post('/organization/create', { name: 'Copycat', slug }), 400, 'ORGANIZATION_ALREADY_EXISTS');
    assert.equal(dump(server.db), before, 'nothing written');
    assert.equal(await activeOf(b), null);
    assert.deepEqual(assertOk(await b.browser.get('/organization/list')), []);
    assertError(await new Browser(server.api, { origin: APP }).post('/organization/check-slug', { slug }), 401, 'UNAUTHORIZED');
  });

  test('list, get-organization and get-full-organization: members with their users, invitations for those who may invite, the metadata as stored text', async () => {
    const { owner, org, members: [admin, member] } = await team(server, ['admin', 'member'], { name: 'Acme', metadata: { plan: 'pro' } });
    const pending = await invite(owner, freshEmail('pending'), 'member');
    const futureOwner = await invite(owner, freshEmail('future-owner'), 'owner');

    const list = assertOk(await owner.browser.get('/organization/list'));
    assert.equal(list.length, 1);
    assertOrganization(list[0]);
    assert.deepEqual(list[0], { id: org.id, name: 'Acme', slug: org.slug, logo: null, createdAt: org.createdAt, metadata: '{"plan":"pro"}' });
    assert.deepEqual(assertOk(await member.browser.get('/organization/list')), list);

    // By id, by slug, or (nothing named) the active one.
    for (const query of [q({ organizationId: org.id }), q({ organizationSlug: org.slug }), '']) {
      assert.deepEqual(assertOk(await member.browser.get(`/organization/get-organization${query}`)), list[0], query);
    }

    const full = assertOk(await owner.browser.get('/organization/get-full-organization'));
    assert.deepEqual(keys(full), [...ORG_KEYS, 'invitations', 'members'].sort());
    assert.deepEqual({ ...full, invitations: undefined, members: undefined }, { ...list[0], invitations: undefined, members: undefined });
    assert.equal(full.members.length, 3);
    const people = { [owner.id]: owner, [admin.id]: admin, [member.id]: member };
    for (const m of full.members) {
      assertMember(m, { user: people[m.userId] });
      assert.equal(m.organizationId, org.id);
    }
    assert.deepEqual(full.members.map((m) => [m.userId, m.role]).sort(), [[owner.id, 'owner'], [admin.id, 'admin'], [member.id, 'member']].sort());
    // The owner sees every invitation, answered ones too.
    full.invitations.forEach(assertInvitation);
    assert.deepEqual(full.invitations.map((i) => [i.id, i.status]).sort(), [
      [admin.invitationId, 'accepted'], [member.invitationId, 'accepted'], [pending.id, 'pending'], [futureOwner.id, 'pending'],
    ].sort());
    // An admin sees them but the owner's; a member sees none.
    const asAdmin = assertOk(await admin.browser.get(`/organization/get-full-organization${q({ organizationId: org.id })}`));
    assert.deepEqual(asAdmin.invitations.map((i) => i.id).sort(), [admin.invitationId, member.invitationId, pending.id].sort());
    const asMember = assertOk(await member.browser.get(`/organization/get-full-organization${q({ organizationSlug: org.slug })}`));
    assert.deepEqual(asMember.invitations, []);
    assert.equal(asMember.members.length, 3);
    assert.equal(asMember.metadata, '{"plan":"pro"}');
    // membersLimit.
    const one = assertOk(await owner.browser.get(`/organization/get-full-organization${q({ membersLimit: 1 })}`));
    assert.equal(one.members.length, 1);

    // Nothing named and nothing active: null. An unknown organization: ORGANIZATION_NOT_FOUND.
    const stranger = await signUp(server);
    assert.equal(assertOk(await stranger.browser.get('/organization/get-organization')), null);
    assert.equal(assertOk(await stranger.browser.get('/organization/get-full-organization')), null);
    assertError(await stranger.browser.get(`/organization/get-organization${q({ organizationId: 'no-such-organization' })}`), 400, 'ORGANIZATION_NOT_FOUND');
    assertError(await stranger.browser.get(`/organization/get-full-organization${q({ organizationSlug: 'no-such-slug' })}`), 400, 'ORGANIZATION_NOT_FOUND');

    // A non-member is refused, and loses its active organization.
    const own = await create(stranger);
    assert.equal(await activeOf(stranger), own.id);
    assertError(await stranger.browser.get(`/organization/get-organization${q({ organizationId: org.id })}`), 403, 'USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION');
    assert.equal(await activeOf(stranger), null);
    assertOk(await stranger.browser.post('/organization/set-active', { organizationId: own.id }));
    assertError(await stranger.browser.get(`/organization/get-full-organization${q({ organizationSlug: org.slug })}`), 403, 'USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION');
    assert.equal(await activeOf(stranger), null);
    assert.deepEqual(assertOk(await stranger.browser.get('/organization/list')).map((o) => o.id), [own.id]);
  });

  test('update: an owner or an admin may; a member or a stranger may not; the slug must be free', async () => {
    const { owner, org, members: [admin, member] } = await team(server, ['admin', 'member'], { metadata: { plan: 'pro' }, logo: 'https://example.com/a.png' });
    const updated = assertOk(await owner.browser.post('/organization/update', { data: { name: 'Acme 2', metadata: { plan: 'team' }, logo: null } }));
    assertOrganization(updated, { parsedMetadata: true });
    assert.deepEqual(updated, { id: org.id, name: 'Acme 2', slug: org.slug, logo: null, createdAt: org.createdAt, metadata: { plan: 'team' } });

    const slug = freshSlug('renamed');
    const byAdmin = assertOk(await admin.browser.post('/organization/update', { organizationId: org.id, data: { slug } }));
    assert.equal(byAdmin.slug, slug);
    assert.equal(byAdmin.name, 'Acme 2', 'the fields not given stay');
    assert.deepEqual(byAdmin.metadata, { plan: 'team' });
    // Its own slug is fine; an empty change changes nothing.
    assert.equal(assertOk(await admin.browser.post('/organization/update', { data: { slug } })).slug, slug);
    assert.deepEqual(assertOk(await owner.browser.post('/organization/update', { data: {} })), byAdmin);

    assertError(await member.browser.post('/organization/update', { data: { name: 'Hijacked' } }), 403, 'YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION');
    const stranger = await signUp(server);
    assertError(await stranger.browser.post('/organization/update', { organizationId: org.id, data: { name: 'Hijacked' } }), 403, 'USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION');
    assertError(await stranger.browser.post('/organization/update', { data: { name: 'Hijacked' } }), 400, 'ORGANIZATION_NOT_FOUND');
    const elsewhere = await create(stranger, { keepCurrentActiveOrganization: true });
    assertError(await owner.browser.post('/organization/update', { data: { slug: elsewhere.slug } }), 400, 'ORGANIZATION_SLUG_ALREADY_TAKEN');
    assert.equal(sql(server.db, `select name from organization where id = '${org.id}'`)[0].name, 'Acme 2');
    assert.equal(count(server, 'organization', `id = '${org.id}' and slug = '${slug}'`), 1);
    assert.deepEqual(assertOk(await member.browser.get('/organization/get-organization')).name, 'Acme 2');
  });

  test('delete: only an owner; its members and invitations go, and no session has it active any more', async () => {
    const { owner, org, members: [admin, member, busy] } = await team(server, ['admin', 'member', 'member']);
    const pending = await invite(owner, freshEmail('pending'), 'member');
    const laptop = await signIn(server, owner);
    assertOk(await laptop.browser.post('/organization/set-active', { organizationId: org.id }));
    const elsewhere = await create(busy);  // busy works in another organization now
    for (const u of [owner, laptop, admin, member]) assert.equal(await activeOf(u), org.id);
    assert.equal(await activeOf(busy), elsewhere.id);

    assertError(await admin.browser.post('/organization/delete', { organizationId: org.id }), 403, 'YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION');
    assertError(await member.browser.post('/organization/delete', { organizationId: org.id }), 403, 'YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION');
    assertError(await owner.browser.post('/organization/delete', { organizationId: elsewhere.id }), 403, 'USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION');
    assertError(await owner.browser.post('/organization/delete', { organizationId: '' }), 400, 'ORGANIZATION_NOT_FOUND');
    assert.equal(count(server, 'member', `organizationId = '${org.id}'`), 4);

    const deleted = assertOk(await owner.browser.post('/organization/delete', { organizationId: org.id }));
    assertOrganization(deleted);
    assert.deepEqual(deleted, { id: org.id, name: org.name, slug: org.slug, logo: null, createdAt: org.createdAt, metadata: null });
    assert.equal(count(server, 'organization', `id = '${org.id}'`), 0);
    assert.equal(count(server, 'member', `organizationId = '${org.id}'`), 0);
    assert.equal(count(server, 'invitation', `organizationId = '${org.id}'`), 0);
    assert.equal(count(server, 'invitation', `id = '${pending.id}'`), 0);
    // Every session loses it (BetterAuth unsets only the caller's); another active one stays.
    for (const u of [owner, laptop, admin, member]) assert.equal(await activeOf(u), null);
    assert.equal(await activeOf(busy), elsewhere.id);
    assert.deepEqual(assertOk(await admin.browser.get('/organization/list')), []);
    assertError(await owner.browser.post('/organization/delete', { organizationId: org.id }), 403, 'USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION');
    assert.equal(assertOk(await owner.browser.post('/organization/check-slug', { slug: org.slug })).status, true, 'the slug is free again');
  });

  test('set-active: by id, by slug, null unsets it (with the session cookie again); a non-member is refused and loses the active one', async () => {
    const { owner, org } = await team(server);
    const second = await create(owner, { keepCurrentActiveOrganization: true });
    assert.equal(await activeOf(owner), org.id);

    const bySlug = await owner.browser.post('/organization/set-active', { organizationSlug: second.slug });
    assert.deepEqual(assertOk(bySlug), { id: second.id, name: second.name, slug: second.slug, logo: null, createdAt: second.createdAt, metadata: null });
    assert.ok(bySlug.headers.getSetCookie().some((c) => c.startsWith(`${SESSION}=`)), 'the session cookie is sent again');
    assert.equal(await activeOf(owner), second.id);
    const byId = await owner.browser.post('/organization/set-active', { organizationId: org.id });
    assert.equal(assertOk(byId).id, org.id);
    assert.equal(await activeOf(owner), org.id);
    // Nothing named: the active one, checked again.
    assert.equal(assertOk(await owner.browser.post('/organization/set-active', {})).id, org.id);

    const unset = await owner.browser.post('/organization/set-active', { organizationId: null });
    assert.equal(assertOk(unset), null);
    assert.ok(unset.headers.getSetCookie().some((c) => c.startsWith(`${SESSION}=`)));
    assert.equal(await activeOf(owner), null);
    assert.equal(assertOk(await owner.browser.post('/organization/set-active', {})), null, 'none named, none active: null');
    assert.equal(assertOk(await owner.browser.post('/organization/set-active', { organizationId: null })), null);

    assertError(await owner.browser.post('/organization/set-active', { organizationSlug: 'no-such-slug' }), 400, 'ORGANIZATION_NOT_FOUND');
    const stranger = await signUp(server);
    const own = await create(stranger);
    assertError(await stranger.browser.post('/organization/set-active', { organizationId: org.id }), 403, 'USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION');
    assert.equal(await activeOf(stranger), null, 'refused, and the active organization is cleared');
    assertOk(await stranger.browser.post('/organization/set-active', { organizationId: own.id }));
    assertError(await stranger.browser.post('/organization/set-active', { organizationId: 'no-such-organization' }), 403, 'USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION');
    assert.equal(await activeOf(stranger), null);
    assertError(await stranger.browser.post('/organization/set-active', { organizationSlug: org.slug }), 403, 'USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION');
  });
});

describe('invitations', () => {
  test('invite, the mail and its link, get-invitation, and accept once the address is verified: a member with the role, the organization active', async () => {
    const { owner, org } = await team(server, [], { name: 'Initech' });
    const invitee = await signUp(server, { name: 'Peter Gibbons' });
    const before = Date.now();
    const { mail, result: res } = await expectMail(server, invitee.email, 'organization-invitation', () =>
      owner.browser.post('/organization/invite-member', { email: invitee.email.toUpperCase(), role: 'admin' }));
    const inv = assertOk(res);
    assertInvitation(inv);
    assert.deepEqual({ ...inv, id: undefined, createdAt: undefined, expiresAt: undefined }, {
      id: undefined, createdAt: undefined, expiresAt: undefined,
      organizationId: org.id, email: invitee.email, role: 'admin', status: 'pending', inviterId: owner.id,
    });
    assert.equal(Date.parse(inv.expiresAt) - Date.parse(inv.createdAt), HOURS_48, 'valid 48 hours');
    assert.ok(Date.parse(inv.createdAt) >= before - 1000);
    assert.equal(mail.link, `${server.url}/accept-invitation/${inv.id}`);
    assert.ok(mail.text.includes(mail.link), mail.text);
    assert.ok(mail.text.includes('Initech'), mail.text);
    assert.ok(`${mail.subject} ${mail.text}`.includes('Olivia Owner'), 'the inviter is named');

    // Unverified: neither seen nor answered (BetterAuth allows it by default).
    assertError(await invitee.browser.get(`/organization/get-invitation${q({ id: inv.id })}`), 403, 'EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION');
    assertError(await invitee.browser.post('/organization/accept-invitation', { invitationId: inv.id }), 403, 'EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION');
    assertError(await invitee.browser.post('/organization/reject-invitation', { invitationId: inv.id }), 403, 'EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION');
    assertError(await invitee.browser.get('/organization/list-user-invitations'), 403, 'EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION');
    assert.equal(sql(server.db, `select status from invitation where id = '${inv.id}'`)[0].status, 'pending');

    await verify(server, invitee.email);
    const seen = assertOk(await invitee.browser.get(`/organization/get-invitation${q({ id: inv.id })}`));
    assert.deepEqual(seen, { ...inv, organizationName: 'Initech', organizationSlug: org.slug, inviterEmail: owner.email });
    const mine = assertOk(await invitee.browser.get('/organization/list-user-invitations'));
    assert.deepEqual(mine, [{ ...inv, organizationName: 'Initech' }]);

    // Another (verified) user is not the recipient.
    const other = await signUp(server, { verified: true });
    assertError(await other.browser.get(`/organization/get-invitation${q({ id: inv.id })}`), 403, 'YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION');
    assertError(await other.browser.post('/organization/accept-invitation', { invitationId: inv.id }), 403, 'YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION');
    assertError(await other.browser.post('/organization/reject-invitation', { invitationId: inv.id }), 403, 'YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION');
    assertError(await other.browser.get(`/organization/get-invitation${q({ id: 'no-such-invitation' })}`), 400, 'INVITATION_NOT_FOUND');

    assert.equal(await activeOf(invitee), null);
    const accepted = assertOk(await invitee.browser.post('/organization/accept-invitation', { invitationId: inv.id }));
    assert.deepEqual(keys(accepted), ['invitation', 'member']);
    assert.deepEqual(accepted.invitation, { ...inv, status: 'accepted' });
    assertMember(accepted.member);
    assert.deepEqual({ ...accepted.member, id: undefined, createdAt: undefined }, { id: undefined, createdAt: undefined, organizationId: org.id, userId: invitee.id, role: 'admin' });
    assert.equal(await activeOf(invitee), org.id, 'the organization is active');
    assert.deepEqual(assertOk(await invitee.browser.get('/organization/get-active-member-role')), { role: 'admin' });
    assert.equal(sql(server.db, `select status from invitation where id = '${inv.id}'`)[0].status, 'accepted');

    // Answered: it is gone for its recipient.
    assertError(await invitee.browser.post('/organization/accept-invitation', { invitationId: inv.id }), 400, 'INVITATION_NOT_FOUND');
    assertError(await invitee.browser.get(`/organization/get-invitation${q({ id: inv.id })}`), 400, 'INVITATION_NOT_FOUND');
    assert.deepEqual(assertOk(await invitee.browser.get('/organization/list-user-invitations')), []);
    assert.equal(count(server, 'member', `organizationId = '${org.id}' and userId = '${invitee.id}'`), 1);
    // A member cannot be invited again.
    assertError(await owner.browser.post('/organization/invite-member', { email: invitee.email, role: 'member' }), 400, 'USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION');
  });

  test('reject; cancel by an admin (a pending one only: an accepted one stays accepted); a member cannot cancel', async () => {
    const { owner, org, members: [admin, member] } = await team(server, ['admin', 'member']);
    const x = await signUp(server, { verified: true });
    const inv = await invite(owner, x.email, 'member');
    const rejected = assertOk(await x.browser.post('/organization/reject-invitation', { invitationId: inv.id }));
    assert.deepEqual(rejected, { invitation: { ...inv, status: 'rejected' }, member: null });
    assertError(await x.browser.post('/organization/reject-invitation', { invitationId: inv.id }), 400, 'INVITATION_NOT_FOUND', 'Invitation not found!');
    assertError(await x.browser.post('/organization/accept-invitation', { invitationId: inv.id }), 400, 'INVITATION_NOT_FOUND');
    assert.equal(count(server, 'member', `organizationId = '${org.id}' and userId = '${x.id}'`), 0);
    assert.equal(await activeOf(x), null);

    const y = await signUp(server, { verified: true });
    const second = await invite(owner, y.email, 'admin');
    assertError(await member.browser.post('/organization/cancel-invitation', { invitationId: second.id }), 403, 'YOU_ARE_NOT_ALLOWED_TO_CANCEL_THIS_INVITATION');
    const stranger = await signUp(server);
    assertError(await stranger.browser.post('/organization/cancel-invitation', { invitationId: second.id }), 400, 'MEMBER_NOT_FOUND');
    assertError(await admin.browser.post('/organization/cancel-invitation', { invitationId: 'no-such-invitation' }), 400, 'INVITATION_NOT_FOUND');
    assert.equal(sql(server.db, `select status from invitation where id = '${second.id}'`)[0].status, 'pending');
    const canceled = assertOk(await admin.browser.post('/organization/cancel-invitation', { invitationId: second.id }));
    assert.deepEqual(canceled, { ...second, status: 'canceled' });
    assertError(await y.browser.post('/organization/accept-invitation', { invitationId: second.id }), 400, 'INVITATION_NOT_FOUND');
    assertError(await y.browser.get(`/organization/get-invitation${q({ id: second.id })}`), 400, 'INVITATION_NOT_FOUND');

    // An accepted invitation is answered as it stands (BetterAuth would mark it canceled).
    assert.deepEqual(assertOk(await admin.browser.post('/organization/cancel-invitation', { invitationId: member.invitationId })).status, 'accepted');
    assert.equal(sql(server.db, `select status from invitation where id = '${member.invitationId}'`)[0].status, 'accepted');
    assert.equal(assertOk(await owner.browser.post('/organization/cancel-invitation', { invitationId: inv.id })).status, 'rejected');
    assert.equal(sql(server.db, `select status from invitation where id = '${inv.id}'`)[0].status, 'rejected');
    assert.equal(assertOk(await member.browser.get('/organization/get-active-member-role')).role, 'member', 'the member stays');
  });

  test('who may invite whom: not a member; an admin, but not an owner; roles are checked and stored comma-joined', async () => {
    const { owner, org, members: [admin, member] } = await team(server, ['admin', 'member']);
    const before = count(server, 'invitation', `organizationId = '${org.id}'`);
    assertError(await member.browser.post('/organization/invite-member', { email: freshEmail(), role: 'member' }), 403, 'YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION');
    assertError(await admin.browser.post('/organization/invite-member', { email: freshEmail(), role: 'owner' }), 403, 'YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE');
    assertError(await admin.browser.post('/organization/invite-member', { email: freshEmail(), role: ['member', 'owner'] }), 403, 'YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE');
    const stranger = await signUp(server);
    assertError(await stranger.browser.post('/organization/invite-member', { email: freshEmail(), role: 'member', organizationId: org.id }), 400, 'MEMBER_NOT_FOUND');
    assertError(await stranger.browser.post('/organization/invite-member', { email: freshEmail(), role: 'member' }), 400, 'ORGANIZATION_NOT_FOUND');
    assertError(await owner.browser.post('/organization/invite-member', { email: freshEmail(), role: 'superuser' }), 400, 'ROLE_NOT_FOUND', 'ROLE_NOT_FOUND: superuser');
    assertError(await owner.browser.post('/organization/invite-member', { email: freshEmail(), role: '' }), 400, 'ROLE_NOT_FOUND', 'Role not found');
    assertError(await owner.browser.post('/organization/invite-member', { email: freshEmail(), role: [' ', ''] }), 400, 'ROLE_NOT_FOUND', 'Role not found');
    assertError(await owner.browser.post('/organization/invite-member', { email: 'not-an-address', role: 'member' }), 400, 'INVALID_EMAIL');
    assertError(await owner.browser.post('/organization/invite-member', { email: member.email, role: 'admin' }), 400, 'USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION');
    assert.equal(count(server, 'invitation', `organizationId = '${org.id}'`), before, 'nothing written');

    const byAdmin = await invite(admin, freshEmail(), 'admin');
    assert.equal(byAdmin.inviterId, admin.id);
    const several = await invite(admin, freshEmail(), ['member', ' admin', '']);
    assert.equal(several.role, 'member,admin');
    const anOwner = await invite(owner, freshEmail(), 'owner');
    assert.equal(anOwner.role, 'owner');

    // list-invitations: the owner sees all, an admin all but the owner's, a member nothing.
    const all = assertOk(await owner.browser.get('/organization/list-invitations'));
    all.forEach(assertInvitation);
    assert.deepEqual(all.map((i) => i.id).sort(), [admin.invitationId, member.invitationId, byAdmin.id, several.id, anOwner.id].sort());
    const forAdmin = assertOk(await admin.browser.get(`/organization/list-invitations${q({ organizationId: org.id })}`));
    assert.deepEqual(forAdmin.map((i) => i.id).sort(), [admin.invitationId, member.invitationId, byAdmin.id, several.id].sort());
    assertError(await member.browser.get('/organization/list-invitations'), 403, 'YOU_ARE_NOT_ALLOWED_TO_LIST_INVITATIONS');
    assertError(await stranger.browser.get(`/organization/list-invitations${q({ organizationId: org.id })}`), 403, 'YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION');
    assertError(await stranger.browser.get('/organization/list-invitations'), 400, 'ORGANIZATION_NOT_FOUND', 'Organization ID is required');

    // The invitation of an inviter who left cannot be seen.
    const late = await signUp(server, { verified: true });
    const fromAdmin = await invite(admin, late.email, 'member');
    assertOk(await owner.browser.post('/organization/remove-member', { memberIdOrEmail: admin.memberId }));
    assertError(await late.browser.get(`/organization/get-invitation${q({ id: fromAdmin.id })}`), 400, 'INVITER_IS_NO_LONGER_A_MEMBER_OF_THE_ORGANIZATION');
  });

  test('an address invited already: 400, unless resent (the same invitation, a new expiry, mailed again, at most 5 mails in 15 minutes)', async () => {
    const { owner, org } = await team(server);
    const email = freshEmail('again');
    const { result: first } = await expectMail(server, email, 'organization-invitation', () =>
      owner.browser.post('/organization/invite-member', { email, role: 'member' }));
    const inv = assertOk(first);
    assertError(await owner.browser.post('/organization/invite-member', { email, role: 'admin' }), 400, 'USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION');

    const { mail, result } = await expectMail(server, email, 'organization-invitation', () =>
      owner.browser.post('/organization/invite-member', { email, role: 'admin', resend: true }));
    const resent = assertOk(result);
    assert.equal(resent.id, inv.id, 'the same invitation');
    assert.equal(resent.role, 'member', 'its role stays');
    assert.equal(resent.status, 'pending');
    assert.ok(Date.parse(resent.expiresAt) > Date.parse(inv.expiresAt), `a new expiry: ${inv.expiresAt} -> ${resent.expiresAt}`);
    assert.ok(Math.abs(Date.parse(resent.expiresAt) - (Date.now() + HOURS_48)) < 60_000);
    assert.equal(mail.link, `${server.url}/accept-invitation/${inv.id}`);
    assert.equal(count(server, 'invitation', `organizationId = '${org.id}' and email = '${email}'`), 1);

    // Three more mails make five; the sixth resend still answers, but mails nothing.
    for (let i = 0; i < 3; i++) {
      await expectMail(server, email, 'organization-invitation', () => owner.browser.post('/organization/invite-member', { email, role: 'member', resend: true }));
    }
    assert.equal(assertOk(await owner.browser.post('/organization/invite-member', { email, role: 'member', resend: true })).id, inv.id);
    const barrier = freshEmail('barrier');
    await expectMail(server, barrier, 'organization-invitation', () => owner.browser.post('/organization/invite-member', { email: barrier, role: 'member' }));
    assert.equal(mailsTo(server, email, 'organization-invitation').length, 5);
  });

});

describe('invitations with organizationInvitationExpiresIn: 1', () => {
  let s;
  before(async () => {
    s = await startServer({ ...ORG, organizationInvitationExpiresIn: 1 });
  });
  after(async () => {
    await s?.stop();
  });

  test('an expired invitation cannot be seen or accepted (it can be rejected), and does not block a new one', async () => {
    const { owner, org } = await team(s);
    const invitee = await signUp(s, { verified: true });
    const inv = await invite(owner, invitee.email, 'member');
    assert.equal(Date.parse(inv.expiresAt) - Date.parse(inv.createdAt), 1000);
    await waitFor(() => Date.now() > Date.parse(inv.expiresAt) + 10, { what: 'the invitation to expire' });
    assertError(await invitee.browser.get(`/organization/get-invitation${q({ id: inv.id })}`), 400, 'INVITATION_NOT_FOUND');
    assertError(await invitee.browser.post('/organization/accept-invitation', { invitationId: inv.id }), 400, 'INVITATION_NOT_FOUND');
    assert.equal(count(s, 'member', `organizationId = '${org.id}'`), 1);
    assert.equal(await activeOf(invitee), null);

    const again = await invite(owner, invitee.email, 'admin');
    assert.notEqual(again.id, inv.id);
    assert.equal(sql(s.db, `select status from invitation where id = '${inv.id}'`)[0].status, 'pending', 'the old one is left as it was');
    const rejected = assertOk(await invitee.browser.post('/organization/reject-invitation', { invitationId: inv.id }));
    assert.equal(rejected.invitation.status, 'rejected');
  });
});

describe('limits, cancelPendingInvitationsOnReInvite, no verification required, organizationInvitationUrl', () => {
  let s;
  before(async () => {
    s = await startServer({
      ...ORG,
      organizationLimit: 2,
      organizationMembershipLimit: 2,
      organizationInvitationLimit: 2,
      organizationCancelPendingInvitationsOnReInvite: true,
      organizationRequireEmailVerification: false,
      organizationInvitationUrl: 'https://app.example.com/join?invitation={id}',
    });
  });
  after(async () => {
    await s?.stop();
  });

  test('organizationLimit: a member of 2 organizations cannot create a third; leaving one lets it', async () => {
    const u = await signUp(s);
    const first = await create(u);
    await create(u);
    const before = dump(s.db);
    assertError(await u.browser.post('/organization/create', { name: 'Third', slug: freshSlug() }), 403, 'YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_ORGANIZATIONS');
    assert.equal(dump(s.db), before, 'nothing written');
    assertOk(await u.browser.post('/organization/delete', { organizationId: first.id }));
    await create(u);
  });

  test('organizationMembershipLimit: a full organization refuses an acceptance, which can be made once there is room', async () => {
    const { owner, org } = await team(s);
    const x = await signUp(s);
    const y = await signUp(s);
    const forX = await invite(owner, x.email, 'member');
    const forY = await invite(owner, y.email, 'member');
    assertOk(await x.browser.post('/organization/accept-invitation', { invitationId: forX.id }));
    assertError(await y.browser.post('/organization/accept-invitation', { invitationId: forY.id }), 403, 'ORGANIZATION_MEMBERSHIP_LIMIT_REACHED');
    assert.equal(sql(s.db, `select status from invitation where id = '${forY.id}'`)[0].status, 'pending');
    assert.equal(count(s, 'member', `organizationId = '${org.id}'`), 2);
    assert.equal(await activeOf(y), null);
    assertOk(await x.browser.post('/organization/leave', { organizationId: org.id }));
    assert.equal(assertOk(await y.browser.post('/organization/accept-invitation', { invitationId: forY.id })).member.role, 'member');
  });

  test('organizationInvitationLimit: 2 pending; re-inviting cancels the pending one instead of refusing; a cancellation makes room', async () => {
    const { owner, org } = await team(s);
    const a = freshEmail('a');
    const b = freshEmail('b');
    const forA = await invite(owner, a);
    const forB = await invite(owner, b);
    assertError(await owner.browser.post('/organization/invite-member', { email: freshEmail('c'), role: 'member' }), 403, 'INVITATION_LIMIT_REACHED');
    assert.equal(count(s, 'invitation', `organizationId = '${org.id}'`), 2);

    const again = await invite(owner, a, 'admin');
    assert.notEqual(again.id, forA.id);
    assert.equal(again.role, 'admin');
    assert.equal(sql(s.db, `select status from invitation where id = '${forA.id}'`)[0].status, 'canceled');
    assert.equal(count(s, 'invitation', `organizationId = '${org.id}' and status = 'pending'`), 2);

    assertOk(await owner.browser.post('/organization/cancel-invitation', { invitationId: forB.id }));
    await invite(owner, freshEmail('c'));
  });

  test('without organizationRequireEmailVerification an unverified address may see and accept; list-user-invitations still needs it; the mail links to organizationInvitationUrl', async () => {
    const { owner, org } = await team(s);
    const u = await signUp(s);
    const { mail, result } = await expectMail(s, u.email, 'organization-invitation', () =>
      owner.browser.post('/organization/invite-member', { email: u.email, role: 'member' }));
    const inv = assertOk(result);
    assert.equal(mail.link, `https://app.example.com/join?invitation=${inv.id}`);
    assert.ok(mail.text.includes(mail.link));
    assert.equal(assertOk(await u.browser.get(`/organization/get-invitation${q({ id: inv.id })}`)).organizationName, org.name);
    assertError(await u.browser.get('/organization/list-user-invitations'), 403, 'EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION');
    assert.equal(assertOk(await u.browser.post('/organization/accept-invitation', { invitationId: inv.id })).member.role, 'member');
    assert.equal(await activeOf(u), org.id);
  });
});

describe('members', () => {
  test('list-members: oldest first, with their users; limit, offset and total; any member may list', async () => {
    const { owner, org, members } = await team(server, ['admin', 'member', 'member', 'member']);
    const all = assertOk(await members[3].browser.get('/organization/list-members'));
    assert.deepEqual(keys(all), ['members', 'total']);
    assert.equal(all.total, 5);
    assert.deepEqual(all.members.map((m) => m.userId), [owner, ...members].map((u) => u.id));
    all.members.forEach((m, i) => assertMember(m, { user: [owner, ...members][i] }));
    assert.deepEqual(all.members.map((m) => m.role), ['owner', 'admin', 'member', 'member', 'member']);

    const page = assertOk(await owner.browser.get(`/organization/list-members${q({ limit: 2, offset: 1 })}`));
    assert.equal(page.total, 5);
    assert.deepEqual(page.members, all.members.slice(1, 3));
    const bySlug = assertOk(await owner.browser.get(`/organization/list-members${q({ organizationSlug: org.slug, offset: 4 })}`));
    assert.deepEqual(bySlug, { members: all.members.slice(4), total: 5 });
    assert.deepEqual(assertOk(await owner.browser.get(`/organization/list-members${q({ organizationId: org.id, limit: 0 })}`)), all, 'limit 0: the default');

    for (const param of ['sortBy=role', 'sortDirection=desc', 'filterField=role', 'filterValue=owner', 'filterOperator=eq']) {
      assertError(await owner.browser.get(`/organization/list-members?${param}`), 400, 'VALIDATION_ERROR', undefined);
    }
    assertError(await owner.browser.get('/organization/list-members?limit=ten'), 400, 'VALIDATION_ERROR', undefined);
    assertError(await owner.browser.get('/organization/list-members?offset=-1'), 400, 'VALIDATION_ERROR', undefined);
    const stranger = await signUp(server);
    assertError(await stranger.browser.get(`/organization/list-members${q({ organizationId: org.id })}`), 403, 'YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION');
    assertError(await stranger.browser.get('/organization/list-members'), 400, 'NO_ACTIVE_ORGANIZATION');
    assertError(await stranger.browser.get(`/organization/list-members${q({ organizationSlug: 'no-such-slug' })}`), 400, 'ORGANIZATION_NOT_FOUND');
  });

  test('update-member-role: an admin changes admins and members, never an owner nor to owner; a member nothing; the last owner stays one', async () => {
    const { owner, org, members: [admin, m1, m2] } = await team(server, ['admin', 'member', 'member']);
    const promoted = assertOk(await admin.browser.post('/organization/update-member-role', { memberId: m1.memberId, role: 'admin' }));
    assertMember(promoted);
    assert.deepEqual({ ...promoted, createdAt: undefined }, { id: m1.memberId, organizationId: org.id, userId: m1.id, role: 'admin', createdAt: undefined });
    assert.deepEqual(assertOk(await m1.browser.get('/organization/get-active-member-role')), { role: 'admin' });
    assert.equal(assertOk(await admin.browser.post('/organization/update-member-role', { memberId: m1.memberId, role: ['member', ' admin'] })).role, 'member,admin');

    const roleOf = (memberId) => sql(server.db, `select role from member where id = '${memberId}'`)[0].role;
    assertError(await admin.browser.post('/organization/update-member-role', { memberId: m2.memberId, role: 'owner' }), 403, 'YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER');
    assertError(await admin.browser.post('/organization/update-member-role', { memberId: owner.memberId, role: 'member' }), 403, 'YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER');
    assertError(await m2.browser.post('/organization/update-member-role', { memberId: m1.memberId, role: 'member' }), 403, 'YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER');
    assertError(await m2.browser.post('/organization/update-member-role', { memberId: m2.memberId, role: 'admin' }), 403, 'YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER');
    assertError(await owner.browser.post('/organization/update-member-role', { memberId: owner.memberId, role: 'admin' }), 400, 'YOU_CANNOT_LEAVE_THE_ORGANIZATION_WITHOUT_AN_OWNER');
    assertError(await owner.browser.post('/organization/update-member-role', { memberId: m2.memberId, role: 'superuser' }), 400, 'ROLE_NOT_FOUND', undefined);
    assertError(await owner.browser.post('/organization/update-member-role', { memberId: 'no-such-member', role: 'admin' }), 400, 'MEMBER_NOT_FOUND');
    const stranger = await signUp(server);
    assertError(await stranger.browser.post('/organization/update-member-role', { memberId: m2.memberId, role: 'admin', organizationId: org.id }), 400, 'MEMBER_NOT_FOUND');
    assertError(await stranger.browser.post('/organization/update-member-role', { memberId: m2.memberId, role: 'admin' }), 400, 'NO_ACTIVE_ORGANIZATION');
    // A member of another organization is not found in this one.
    const other = await team(server);
    assertError(await owner.browser.post('/organization/update-member-role', { memberId: other.owner.memberId, role: 'member' }), 400, 'MEMBER_NOT_FOUND');
    assert.equal(roleOf(other.owner.memberId), 'owner');
    assert.deepEqual([roleOf(owner.memberId), roleOf(admin.memberId), roleOf(m2.memberId)], ['owner', 'admin', 'member']);

    // An owner makes another owner, who may then demote the first.
    assert.equal(assertOk(await owner.browser.post('/organization/update-member-role', { memberId: admin.memberId, role: ['owner', 'admin'] })).role, 'owner,admin');
    assert.equal(assertOk(await admin.browser.post('/organization/update-member-role', { memberId: owner.memberId, role: 'admin' })).role, 'admin');
    assertError(await admin.browser.post('/organization/update-member-role', { memberId: admin.memberId, role: 'admin' }), 400, 'YOU_CANNOT_LEAVE_THE_ORGANIZATION_WITHOUT_AN_OWNER');
    assert.deepEqual(assertOk(await owner.browser.get('/organization/get-active-member-role')), { role: 'admin' });
  });

  test('remove-member, by member id or by address: an admin removes admins and members, not an owner; a member nobody; the last owner stays; the removed user loses it as active', async () => {
    const { owner, org, members: [admin, m1, m2, m3] } = await team(server, ['admin', 'member', 'member', 'member']);
    const m2Laptop = await signIn(server, m2);
    assertOk(await m2Laptop.browser.post('/organization/set-active', { organizationId: org.id }));

    assertError(await m1.browser.post('/organization/remove-member', { memberIdOrEmail: m2.memberId }), 403, 'YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER');
    assertError(await m1.browser.post('/organization/remove-member', { memberIdOrEmail: m1.memberId }), 403, 'YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER');
    assertError(await admin.browser.post('/organization/remove-member', { memberIdOrEmail: owner.memberId }), 403, 'YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER');
    assertError(await admin.browser.post('/organization/remove-member', { memberIdOrEmail: owner.email }), 403, 'YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER');
    assertError(await owner.browser.post('/organization/remove-member', { memberIdOrEmail: owner.memberId }), 400, 'YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER');
    assertError(await owner.browser.post('/organization/remove-member', { memberIdOrEmail: 'no-such-member' }), 400, 'MEMBER_NOT_FOUND');
    assertError(await owner.browser.post('/organization/remove-member', { memberIdOrEmail: freshEmail('nobody') }), 400, 'MEMBER_NOT_FOUND');
    const stranger = await signUp(server);
    assertError(await stranger.browser.post('/organization/remove-member', { memberIdOrEmail: m1.memberId, organizationId: org.id }), 400, 'MEMBER_NOT_FOUND');
    assertError(await stranger.browser.post('/organization/remove-member', { memberIdOrEmail: m1.memberId }), 400, 'NO_ACTIVE_ORGANIZATION');
    const other = await team(server);
    assertError(await owner.browser.post('/organization/remove-member', { memberIdOrEmail: other.owner.memberId }), 400, 'MEMBER_NOT_FOUND');
    assert.equal(count(server, 'member', `organizationId = '${org.id}'`), 5);

    const byId = assertOk(await admin.browser.post('/organization/remove-member', { memberIdOrEmail: m2.memberId }));
    assert.deepEqual(keys(byId), ['member']);
    assertMember(byId.member);
    assert.deepEqual({ ...byId.member, createdAt: undefined }, { id: m2.memberId, organizationId: org.id, userId: m2.id, role: 'member', createdAt: undefined });
    assert.equal(await activeOf(m2), null, 'the removed user loses it as active, in every session');
    assert.equal(await activeOf(m2Laptop), null);
    assert.equal(await activeOf(admin), org.id, "the remover's stays");
    assertError(await m2.browser.get(`/organization/get-full-organization${q({ organizationId: org.id })}`), 403, 'USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION');

    const byEmail = assertOk(await admin.browser.post('/organization/remove-member', { memberIdOrEmail: m3.email.toUpperCase() }));
    assertMember(byEmail.member, { user: m3 });
    assert.equal(byEmail.member.id, m3.memberId);
    assert.equal(await activeOf(m3), null);

    assert.equal(assertOk(await owner.browser.post('/organization/remove-member', { memberIdOrEmail: admin.memberId })).member.id, admin.memberId);
    assert.deepEqual(assertOk(await owner.browser.get('/organization/list-members')).members.map((m) => m.userId), [owner.id, m1.id]);
  });

  test('leave: a member leaves (it stops being active); the only owner cannot; a second owner can', async () => {
    const { owner, org, members: [admin, member] } = await team(server, ['admin', 'member']);
    const left = assertOk(await member.browser.post('/organization/leave', { organizationId: org.id }));
    assertMember(left, { user: member });
    assert.equal(left.id, member.memberId);
    assert.equal(await activeOf(member), null);
    assert.deepEqual(assertOk(await member.browser.get('/organization/list')), []);
    assertError(await member.browser.post('/organization/leave', { organizationId: org.id }), 400, 'MEMBER_NOT_FOUND');
    assertError(await owner.browser.post('/organization/leave', { organizationId: org.id }), 400, 'YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER');
    assert.equal(await activeOf(owner), org.id);

    assertOk(await owner.browser.post('/organization/update-member-role', { memberId: admin.memberId, role: 'owner' }));
    assert.equal(assertOk(await owner.browser.post('/organization/leave', { organizationId: org.id })).role, 'owner');
    assert.equal(await activeOf(owner), null);
    assert.deepEqual(assertOk(await admin.browser.get('/organization/list-members')).members.map((m) => [m.userId, m.role]), [[admin.id, 'owner']]);
  });

  test('get-active-member and get-active-member-role', async () => {
    const { owner, org, members: [admin] } = await team(server, ['admin']);
    const me = assertOk(await owner.browser.get('/organization/get-active-member'));
    assertMember(me, { user: { ...owner, name: 'Olivia Owner' } });
    assert.deepEqual({ ...me, user: undefined, createdAt: undefined }, { id: owner.memberId, organizationId: org.id, userId: owner.id, role: 'owner', user: undefined, createdAt: undefined });
    assert.equal(assertOk(await admin.browser.get('/organization/get-active-member')).role, 'admin');

    assert.deepEqual(assertOk(await owner.browser.get('/organization/get-active-member-role')), { role: 'owner' });
    assert.deepEqual(assertOk(await owner.browser.get(`/organization/get-active-member-role${q({ userId: admin.id })}`)), { role: 'admin' });
    assert.deepEqual(assertOk(await admin.browser.get(`/organization/get-active-member-role${q({ userId: owner.id, organizationSlug: org.slug })}`)), { role: 'owner' });
    const stranger = await signUp(server);
    assertError(await owner.browser.get(`/organization/get-active-member-role${q({ userId: stranger.id })}`), 403, 'YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION');
    assertError(await stranger.browser.get(`/organization/get-active-member-role${q({ organizationId: org.id })}`), 403, 'YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION');
    assertError(await stranger.browser.get('/organization/get-active-member-role'), 400, 'NO_ACTIVE_ORGANIZATION');
    assertError(await stranger.browser.get(`/organization/get-active-member-role${q({ organizationSlug: 'no-such-slug' })}`), 400, 'ORGANIZATION_NOT_FOUND');
    assertError(await stranger.browser.get('/organization/get-active-member'), 400, 'NO_ACTIVE_ORGANIZATION');
    assertOk(await owner.browser.post('/organization/set-active', { organizationId: null }));
    assertError(await owner.browser.get('/organization/get-active-member'), 400, 'NO_ACTIVE_ORGANIZATION');
  });

  test('has-permission: by the default roles of owner, admin and member; exactly one of permissions and permission', async () => {
    const { owner, org, members: [admin, member] } = await team(server, ['admin', 'member']);
    const cases = [
      [{ organization: ['delete'] }, [true, false, false]],
      [{ organization: ['update'] }, [true, true, false]],
      [{ organization: ['update', 'delete'] }, [true, false, false]],
      [{ member: ['create'], invitation: ['create'] }, [true, true, false]],
      [{ member: ['create', 'update', 'delete'] }, [true, true, false]],
      [{ invitation: ['cancel'] }, [true, true, false]],
      [{ ac: ['read'] }, [true, true, true]],
      [{ ac: ['read'], member: ['delete'] }, [true, true, false]],
      [{ team: ['create'] }, [true, true, false]],
      [{}, [false, false, false]],
      [{ member: [] }, [false, false, false]],
      [{ billing: ['read'] }, [false, false, false]],
      [{ organization: ['fly'] }, [false, false, false]],
    ];
    for (const [permissions, expected] of cases) {
      const got = [];
      for (const u of [owner, admin, member]) {
        const res = assertOk(await u.browser.post('/organization/has-permission', { permissions }));
        assert.deepEqual(keys(res), ['error', 'success']);
        assert.equal(res.error, null);
        got.push(res.success);
      }
      assert.deepEqual(got, expected, JSON.stringify(permissions));
    }
    assert.equal(assertOk(await admin.browser.post('/organization/has-permission', { organizationId: org.id, permissions: { member: ['delete'] } })).success, true);

    assertError(await owner.browser.post('/organization/has-permission', { permissions: { member: ['create'] }, permission: { member: ['create'] } }), 400, 'VALIDATION_ERROR', '[body] Invalid input: more than one option matched');
    assertError(await owner.browser.post('/organization/has-permission', {}), 400, 'VALIDATION_ERROR', '[body] Invalid input');
    const stranger = await signUp(server);
    assertError(await stranger.browser.post('/organization/has-permission', { organizationId: org.id, permissions: { ac: ['read'] } }), 403, 'USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION');
    assertError(await stranger.browser.post('/organization/has-permission', { permissions: { ac: ['read'] } }), 400, 'NO_ACTIVE_ORGANIZATION');
  });
});

describe('bad input changes nothing', () => {
  test('wrong types, unknown fields, metadata not an object, a role neither a string nor an array, names too long, an unknown role: 400 with {message, code}', async () => {
    const { owner, org, members: [member] } = await team(server, ['member']);
    // The last mail queued so far: once it is in the outbox, every earlier one is.
    const pendingEmail = freshEmail('pending');
    const { result } = await expectMail(server, pendingEmail, 'organization-invitation', () =>
      owner.browser.post('/organization/invite-member', { email: pendingEmail, role: 'member' }));
    const pending = assertOk(result);
    const long = 'é'.repeat(129);  // 258 bytes
    const cases = [
      ['/organization/create', { name: 1, slug: freshSlug() }, 'VALIDATION_ERROR'],
      ['/organization/create', { name: 'A' }, 'VALIDATION_ERROR'],
      ['/organization/create', { name: '', slug: freshSlug() }, 'VALIDATION_ERROR'],
      ['/organization/create', { name: 'A', slug: '' }, 'VALIDATION_ERROR'],
      ['/organization/create', { name: long, slug: freshSlug() }, 'VALIDATION_ERROR'],
      ['/organization/create', { name: 'A', slug: 'x'.repeat(257) }, 'VALIDATION_ERROR'],
      ['/organization/create', { name: 'A', slug: freshSlug(), metadata: 'plan=pro' }, 'VALIDATION_ERROR'],
      ['/organization/create', { name: 'A', slug: freshSlug(), metadata: ['pro'] }, 'VALIDATION_ERROR'],
      ['/organization/create', { name: 'A', slug: freshSlug(), metadata: null }, 'VALIDATION_ERROR'],
      ['/organization/create', { name: 'A', slug: freshSlug(), logo: 5 }, 'VALIDATION_ERROR'],
      ['/organization/create', { name: 'A', slug: freshSlug(), keepCurrentActiveOrganization: 'yes' }, 'VALIDATION_ERROR'],
      ['/organization/create', { name: 'A', slug: freshSlug(), plan: 'pro' }, 'VALIDATION_ERROR'],
      ['/organization/create', { name: 'A', slug: freshSlug(), userId: member.id }, 'FIELD_NOT_ALLOWED'],
      ['/organization/check-slug', { slug: 5 }, 'VALIDATION_ERROR'],
      ['/organization/update', { name: 'A' }, 'VALIDATION_ERROR'],
      ['/organization/update', { data: 'A' }, 'VALIDATION_ERROR'],
      ['/organization/update', { data: { name: '' } }, 'VALIDATION_ERROR'],
      ['/organization/update', { data: { slug: long } }, 'VALIDATION_ERROR'],
      ['/organization/update', { data: { metadata: 'x' } }, 'VALIDATION_ERROR'],
      ['/organization/update', { data: { plan: 'x' } }, 'VALIDATION_ERROR'],
      ['/organization/update', { data: { name: 'B' }, organizationId: 5 }, 'VALIDATION_ERROR'],
      ['/organization/delete', {}, 'VALIDATION_ERROR'],
      ['/organization/delete', { organizationId: [org.id] }, 'VALIDATION_ERROR'],
      ['/organization/set-active', { organizationId: 5 }, 'VALIDATION_ERROR'],
      ['/organization/set-active', { organizationSlug: null }, 'VALIDATION_ERROR'],
      ['/organization/invite-member', { email: freshEmail() }, 'VALIDATION_ERROR'],
      ['/organization/invite-member', { email: freshEmail(), role: 5 }, 'VALIDATION_ERROR'],
      ['/organization/invite-member', { email: freshEmail(), role: { admin: true } }, 'VALIDATION_ERROR'],
      ['/organization/invite-member', { email: freshEmail(), role: [1] }, 'INVALID_ROLE_TYPE'],
      ['/organization/invite-member', { role: 'member' }, 'VALIDATION_ERROR'],
      ['/organization/invite-member', { email: freshEmail(), role: 'member', resend: 'yes' }, 'VALIDATION_ERROR'],
      ['/organization/invite-member', { email: freshEmail(), role: 'member', teamId: 't1' }, 'FIELD_NOT_ALLOWED'],
      ['/organization/invite-member', { email: freshEmail(), role: 'superuser' }, 'ROLE_NOT_FOUND'],
      ['/organization/invite-member', { email: freshEmail(), role: ['member', 'root'] }, 'ROLE_NOT_FOUND'],
      ['/organization/accept-invitation', {}, 'VALIDATION_ERROR'],
      ['/organization/reject-invitation', { invitationId: 1 }, 'VALIDATION_ERROR'],
      ['/organization/cancel-invitation', { invitationId: pending.id, why: 'x' }, 'VALIDATION_ERROR'],
      ['/organization/remove-member', {}, 'VALIDATION_ERROR'],
      ['/organization/remove-member', { memberIdOrEmail: member.memberId, organizationId: 5 }, 'VALIDATION_ERROR'],
      ['/organization/update-member-role', { memberId: member.memberId }, 'VALIDATION_ERROR'],
      ['/organization/update-member-role', { memberId: member.memberId, role: true }, 'VALIDATION_ERROR'],
      ['/organization/update-member-role', { memberId: member.memberId, role: [null] }, 'INVALID_ROLE_TYPE'],
      ['/organization/update-member-role', { memberId: member.memberId, role: 'superuser' }, 'ROLE_NOT_FOUND'],
      ['/organization/update-member-role', { memberId: member.memberId, role: '' }, 'ROLE_NOT_FOUND'],
      ['/organization/leave', {}, 'VALIDATION_ERROR'],
      ['/organization/has-permission', { permissions: { member: 'create' } }, 'VALIDATION_ERROR'],
      ['/organization/has-permission', { permissions: [['member', 'create']] }, 'VALIDATION_ERROR'],
      ['/organization/has-permission', { permissions: { member: [1] } }, 'VALIDATION_ERROR'],
      ['/organization/has-permission', { permissions: { member: { actions: ['create'], connector: 'OR' } } }, 'VALIDATION_ERROR'],
    ];
    const before = dump(server.db);
    const mailsBefore = outboxMails(server.outbox).length;
    for (const [path, body, code] of cases) {
      const res = await owner.browser.post(path, body);
      assertError(res, 400, code, undefined);
    }
    for (const path of ['/organization/get-invitation', `/organization/list-members${q({ limit: '1e3' })}`, `/organization/get-full-organization${q({ membersLimit: 'all' })}`]) {
      assertError(await owner.browser.get(path), 400, 'VALIDATION_ERROR', undefined);
    }
    assertError(await owner.browser.get(`/organization/list-user-invitations${q({ email: owner.email })}`), 400, 'FIELD_NOT_ALLOWED', undefined);
    assert.equal(dump(server.db), before, 'nothing written');
    assert.equal(await activeOf(owner), org.id);
    // (No mail either: a later one comes first.)
    const barrier = freshEmail('barrier');
    await expectMail(server, barrier, 'organization-invitation', () => owner.browser.post('/organization/invite-member', { email: barrier, role: 'member' }));
    assert.equal(outboxMails(server.outbox).length, mailsBefore + 1);
  });

  test('without a session every route answers 401 UNAUTHORIZED and writes nothing', async () => {
    const { org } = await team(server);
    const anonymous = new Browser(server.api, { origin: APP });
    const before = dump(server.db);
    const routes = [
      ['POST', '/organization/create', { name: 'A', slug: freshSlug() }],
      ['POST', '/organization/check-slug', { slug: 'a' }],
      ['POST', '/organization/update', { organizationId: org.id, data: { name: 'B' } }],
      ['POST', '/organization/delete', { organizationId: org.id }],
      ['POST', '/organization/set-active', { organizationId: org.id }],
      ['POST', '/organization/invite-member', { email: freshEmail(), role: 'member', organizationId: org.id }],
      ['POST', '/organization/accept-invitation', { invitationId: 'x' }],
      ['POST', '/organization/reject-invitation', { invitationId: 'x' }],
      ['POST', '/organization/cancel-invitation', { invitationId: 'x' }],
      ['POST', '/organization/remove-member', { memberIdOrEmail: 'x', organizationId: org.id }],
      ['POST', '/organization/update-member-role', { memberId: 'x', role: 'admin', organizationId: org.id }],
      ['POST', '/organization/leave', { organizationId: org.id }],
      ['POST', '/organization/has-permission', { organizationId: org.id, permissions: { ac: ['read'] } }],
      ['GET', '/organization/list'],
      ['GET', `/organization/get-organization${q({ organizationId: org.id })}`],
      ['GET', `/organization/get-full-organization${q({ organizationId: org.id })}`],
      ['GET', `/organization/get-invitation${q({ id: 'x' })}`],
      ['GET', `/organization/list-invitations${q({ organizationId: org.id })}`],
      ['GET', '/organization/list-user-invitations'],
      ['GET', '/organization/get-active-member'],
      ['GET', `/organization/get-active-member-role${q({ organizationId: org.id })}`],
      ['GET', `/organization/list-members${q({ organizationId: org.id })}`],
    ];
    for (const [method, path, body] of routes) {
      const res = await anonymous.request(path, { method, body });
      assertError(res, 401, 'UNAUTHORIZED');
    }
    assert.equal(dump(server.db), before);
  });

  test('without --organization: every route 404, and get-session has no activeOrganizationId', async () => {
    await withServer({ trustedOrigins: [APP] }, async (s) => {
      const u = await signUp(s);
      const session = assertOk(await u.browser.get('/get-session'));
      assert.equal('activeOrganizationId' in session.session, false, JSON.stringify(session.session));
      const before = dump(s.db);
      for (const [method, path, body] of [
        ['POST', '/organization/create', { name: 'A', slug: 'a' }],
        ['POST', '/organization/check-slug', { slug: 'a' }],
        ['POST', '/organization/set-active', { organizationId: null }],
        ['POST', '/organization/invite-member', { email: 'x@example.com', role: 'member' }],
        ['POST', '/organization/has-permission', { permissions: { ac: ['read'] } }],
        ['GET', '/organization/list'],
        ['GET', '/organization/get-full-organization'],
        ['GET', '/organization/list-members'],
        ['GET', '/organization/list-user-invitations'],
      ]) {
        const res = await u.browser.request(path, { method, body });
        assert.equal(res.status, 404, `${method} ${path}: ${JSON.stringify(res.body)}`);
      }
      assert.equal(dump(s.db), before);
    });
  });

  test('allowUserToCreateOrganization false: create is refused, nothing written', async () => {
    await withServer({ organization: true, allowUserToCreateOrganization: false, trustedOrigins: [APP] }, async (s) => {
      const u = await signUp(s);
      const before = dump(s.db);
      assertError(await u.browser.post('/organization/create', { name: 'A', slug: freshSlug() }), 403, 'YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_ORGANIZATION');
      assert.equal(dump(s.db), before);
      assert.deepEqual(assertOk(await u.browser.get('/organization/list')), []);
      assert.equal(await activeOf(u), null, 'get-session has activeOrganizationId with --organization');
    });
  });
});

// ---- BetterAuth ---------------------------------------------------------------------------------

/**
 * Portcullis (`portcullis`) and BetterAuth (`theirs`: served, `auth`: its instance) on one
 * database: organizations, memberships and invitations made through either are listed, seen and
 * answered by the other, with the same JSON. `scalar(sql)` reads one value from the database.
 */
async function sharedDatabase(portcullis, theirs, auth, scalar) {
  // Portcullis's organization and invitation, as BetterAuth answers them.
  const owner = await signUp(portcullis, { verified: true, name: 'Olivia Owner' });
  const org = await create(owner, { name: 'Made by Portcullis', metadata: { plan: 'pro' }, logo: 'https://example.com/p.png' });
  const invitee = await signUp(portcullis, { verified: true, name: 'Ivan Invitee' });
  const inv = await invite(owner, invitee.email, 'admin');
  const ownerThere = sameBrowser(owner.browser, theirs.api);
  const inviteeThere = sameBrowser(invitee.browser, theirs.api);

  const ourList = assertOk(await owner.browser.get('/organization/list'));
  assert.deepEqual(assertOk(await ownerThere.get('/organization/list')), ourList, "BetterAuth lists Portcullis's organization as Portcullis does");
  const normalized = (full) => ({ ...full, members: [...full.members].sort(byId), invitations: [...full.invitations].sort(byId) });
  const ourFull = assertOk(await owner.browser.get(`/organization/get-full-organization${q({ organizationId: org.id })}`));
  const theirFull = assertOk(await ownerThere.get(`/organization/get-full-organization${q({ organizationId: org.id })}`));
  assert.deepEqual(normalized(theirFull), normalized(ourFull));
  assert.deepEqual(assertOk(await inviteeThere.get(`/organization/get-invitation${q({ id: inv.id })}`)),
    assertOk(await invitee.browser.get(`/organization/get-invitation${q({ id: inv.id })}`)));
  assert.deepEqual(assertOk(await inviteeThere.get('/organization/list-user-invitations')),
    assertOk(await invitee.browser.get('/organization/list-user-invitations')));

  // BetterAuth accepts it; Portcullis sees the membership, its role and the active organization.
  const accepted = assertOk(await inviteeThere.post('/organization/accept-invitation', { invitationId: inv.id }));
  assert.equal(accepted.member.role, 'admin');
  assert.equal(await activeOf(invitee), org.id);
  assert.deepEqual(assertOk(await invitee.browser.get('/organization/get-active-member-role')), { role: 'admin' });
  assert.equal(assertOk(await invitee.browser.post('/organization/has-permission', { permissions: { organization: ['update'] } })).success, true);
  assert.equal(assertOk(await invitee.browser.post('/organization/has-permission', { permissions: { organization: ['delete'] } })).success, false);
  const members = assertOk(await owner.browser.get('/organization/list-members'));
  assert.equal(members.total, 2);
  assert.deepEqual(members.members.find((m) => m.userId === invitee.id), { ...accepted.member, user: { id: invitee.id, name: invitee.name, email: invitee.email, image: null } });
  assertError(await invitee.browser.post('/organization/accept-invitation', { invitationId: inv.id }), 400, 'INVITATION_NOT_FOUND');

  // A membership BetterAuth's server adds makes a pending invitation of Portcullis's unacceptable
  // (BetterAuth's accept would add a second membership).
  const late = await signUp(portcullis, { verified: true });
  const lateInv = await invite(owner, late.email, 'member');
  await auth.api.addMember({ body: { userId: late.id, role: 'member', organizationId: org.id } });
  assertError(await late.browser.post('/organization/accept-invitation', { invitationId: lateInv.id }), 400, 'USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION');
  assert.equal(String(scalar(`SELECT "status" FROM "invitation" WHERE "id" = '${lateInv.id}'`)), 'pending');
  assert.equal(Number(scalar(`SELECT count(*) FROM "member" WHERE "userId" = '${late.id}'`)), 1);

  // BetterAuth's organization and invitation, as Portcullis answers them.
  const founder = await signUp(portcullis, { verified: true, name: 'Frida Founder' });
  const founderThere = sameBrowser(founder.browser, theirs.api);
  const slug = freshSlug('betterauth');
  const made = assertOk(await founderThere.post('/organization/create', { name: 'Made by BetterAuth', slug, metadata: { plan: 'team' } }));
  const theirs1 = assertOk(await founderThere.get('/organization/list'));
  const ours1 = assertOk(await founder.browser.get('/organization/list'));
  assert.deepEqual(ours1, theirs1);
  assert.deepEqual(ours1, [{ id: made.id, name: 'Made by BetterAuth', slug, logo: null, createdAt: made.createdAt, metadata: '{"plan":"team"}' }]);
  assert.equal(await activeOf(founder), made.id, 'BetterAuth made it active');
  const full = assertOk(await founder.browser.get('/organization/get-full-organization'));
  assert.deepEqual(full.members, [{ ...made.members[0], user: { id: founder.id, name: founder.name, email: founder.email, image: null } }]);
  assert.equal(assertOk(await founder.browser.post('/organization/has-permission', { permissions: { organization: ['delete'] } })).success, true);

  const guest = await signUp(portcullis, { verified: true, name: 'Gus Guest' });
  const theirInv = assertOk(await founderThere.post('/organization/invite-member', { email: guest.email, role: 'member' }));
  const seen = assertOk(await guest.browser.get(`/organization/get-invitation${q({ id: theirInv.id })}`));
  assert.deepEqual(seen, { ...theirInv, organizationName: 'Made by BetterAuth', organizationSlug: slug, inviterEmail: founder.email });
  assert.deepEqual(assertOk(await founder.browser.get('/organization/list-invitations')), [theirInv]);
  const joined = assertOk(await guest.browser.post('/organization/accept-invitation', { invitationId: theirInv.id }));
  assert.equal(joined.member.role, 'member');
  const theirMembers = assertOk(await founderThere.get('/organization/list-members'));
  assert.equal(theirMembers.total, 2);
  assert.deepEqual(theirMembers.members.find((m) => m.userId === guest.id), { ...joined.member, user: { id: guest.id, name: guest.name, email: guest.email, image: null } });
  const guestThere = sameBrowser(guest.browser, theirs.api);
  assert.equal(assertOk(await guestThere.post('/organization/has-permission', { permissions: { member: ['create'] } })).success, false);
  assert.equal(assertOk(await guest.browser.post('/organization/has-permission', { permissions: { member: ['create'] } })).success, false);
  assert.deepEqual(assertOk(await guestThere.get('/organization/get-active-member')).role, 'member');

  // Changes through Portcullis show on BetterAuth.
  assertOk(await founder.browser.post('/organization/update', { data: { name: 'Renamed by Portcullis' } }));
  assert.equal(assertOk(await guestThere.get('/organization/get-full-organization')).name, 'Renamed by Portcullis');
  assertOk(await founder.browser.post('/organization/delete', { organizationId: made.id }));
  assert.deepEqual(assertOk(await founderThere.get('/organization/list')), []);
  assert.deepEqual(assertOk(await guestThere.get('/organization/list')), []);
  assert.equal(Number(scalar(`SELECT count(*) FROM "member" WHERE "organizationId" = '${made.id}'`)), 0);
  assert.equal(Number(scalar(`SELECT count(*) FROM "invitation" WHERE "organizationId" = '${made.id}'`)), 0);
}

describe('a SQLite database shared with BetterAuth and its organization plugin', () => {
  let s;
  let theirs;
  let auth;
  before(async () => {
    s = await startServer({ ...ORG, sessionCacheTtl: 0 });  // Portcullis makes the tables; BetterAuth writes sessions too
    auth = betterAuthOnSqlite(s.db, { plugins: [organization()], options: BETTER_AUTH_OPTIONS });
    theirs = await serveBetterAuth(auth);
  });
  after(async () => {
    await theirs?.close();
    await s?.stop();
  });

  test('BetterAuth finds the tables Portcullis made complete', async () => {
    const { toBeCreated, toBeAdded } = await getMigrations({ database: sqliteCli(s.db), plugins: [organization()], ...BETTER_AUTH_OPTIONS });
    const ours = (t) => ['organization', 'member', 'invitation', 'session'].includes(t.table);
    assert.deepEqual(toBeCreated.filter(ours), []);
    assert.deepEqual(toBeAdded.filter(ours), []);
  });

  test('organizations and invitations made through either are listed, seen and answered by the other', async () => {
    await sharedDatabase(s, theirs, auth, (statement) => Object.values(sql(s.db, statement)[0] ?? {})[0]);
  });
});

test("BetterAuth's browser client with organizationClient(): create, invite, accept, and the calls around them", async () => {
  const { client: owner } = browserClient(server.url, { plugins: [organizationClient()] });
  const { client: invitee } = browserClient(server.url, { plugins: [organizationClient()] });
  const ownerEmail = freshEmail('client-owner');
  const inviteeEmail = freshEmail('client-invitee');
  assert.equal((await owner.signUp.email({ name: 'Olga Owner', email: ownerEmail, password: PASSWORD })).error, null);
  const up = await invitee.signUp.email({ name: 'Ian Invitee', email: inviteeEmail, password: PASSWORD });
  assert.equal(up.error, null);
  await verify(server, inviteeEmail);

  const slug = freshSlug('client');
  const created = await owner.organization.create({ name: 'Client Co', slug, metadata: { plan: 'pro' } });
  assert.equal(created.error, null, JSON.stringify(created.error));
  assert.deepEqual(created.data.metadata, { plan: 'pro' });
  assert.equal(created.data.members[0].role, 'owner');
  assert.equal((await owner.getSession()).data.session.activeOrganizationId, created.data.id);
  assert.equal((await owner.organization.checkSlug({ slug })).error.code, 'ORGANIZATION_SLUG_ALREADY_TAKEN');

  const invited = await owner.organization.inviteMember({ email: inviteeEmail, role: 'admin' });
  assert.equal(invited.error, null, JSON.stringify(invited.error));
  assert.equal(invited.data.status, 'pending');
  const seen = await invitee.organization.getInvitation({ query: { id: invited.data.id } });
  assert.equal(seen.error, null, JSON.stringify(seen.error));
  assert.equal(seen.data.organizationName, 'Client Co');
  assert.equal(seen.data.inviterEmail, ownerEmail);
  const mine = await invitee.organization.listUserInvitations();
  assert.deepEqual(mine.data.map((i) => i.id), [invited.data.id]);
  const accepted = await invitee.organization.acceptInvitation({ invitationId: invited.data.id });
  assert.equal(accepted.error, null, JSON.stringify(accepted.error));
  assert.equal(accepted.data.member.role, 'admin');
  assert.equal((await invitee.getSession()).data.session.activeOrganizationId, created.data.id);

  const active = await invitee.organization.getActiveMember();
  assert.equal(active.data.role, 'admin');
  assert.equal(active.data.user.email, inviteeEmail);
  assert.deepEqual((await invitee.organization.getActiveMemberRole()).data, { role: 'admin' });
  const list = await invitee.organization.list();
  assert.deepEqual(list.data.map((o) => [o.id, o.metadata]), [[created.data.id, '{"plan":"pro"}']]);
  const members = await owner.organization.listMembers({ query: { limit: 10 } });
  assert.equal(members.data.total, 2);
  const full = await owner.organization.getFullOrganization();
  assert.equal(full.data.members.length, 2);
  assert.deepEqual(full.data.invitations.map((i) => i.status), ['accepted']);
  assert.equal((await invitee.organization.hasPermission({ permissions: { organization: ['update'] } })).data.success, true);
  assert.equal((await invitee.organization.hasPermission({ permissions: { organization: ['delete'] } })).data.success, false);
  assert.equal(invitee.organization.checkRolePermission({ role: 'admin', permissions: { member: ['create'] } }), true);
  const refused = await invitee.organization.delete({ organizationId: created.data.id });
  assert.equal(refused.error.status, 403);
  assert.equal(refused.error.code, 'YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION');

  const updated = await invitee.organization.update({ data: { name: 'Client Co 2' } });
  assert.equal(updated.data.name, 'Client Co 2');
  const role = await owner.organization.updateMemberRole({ memberId: accepted.data.member.id, role: 'member' });
  assert.equal(role.data.role, 'member');
  assert.equal((await invitee.organization.leave({ organizationId: created.data.id })).error, null);
  assert.equal((await invitee.getSession()).data.session.activeOrganizationId, null);
  assert.equal((await owner.organization.setActive({ organizationId: null })).error, null);
  assert.equal((await owner.getSession()).data.session.activeOrganizationId, null);
  const gone = await owner.organization.delete({ organizationId: created.data.id });
  assert.equal(gone.error, null, JSON.stringify(gone.error));
  assert.deepEqual((await owner.organization.list()).data, []);
});

const ADMIN_URL = process.env.PORTCULLIS_TEST_POSTGRES;
describe('a PostgreSQL database BetterAuth made with its organization plugin', { skip: !ADMIN_URL && 'PORTCULLIS_TEST_POSTGRES is not set' }, () => {
  let db;
  let s;
  let theirs;
  let columnsBefore;
  const columns = () => psql(db.dbUrl, `SELECT string_agg(table_name || '.' || column_name || ':' || data_type || ':' || is_nullable, ',' ORDER BY table_name, column_name) FROM information_schema.columns WHERE table_name IN ('organization', 'member', 'invitation') OR (table_name = 'session' AND column_name = 'activeOrganizationId')`);
  before(async () => {
    db = await betterAuthOnPostgres(ADMIN_URL, `pc_organization_${process.pid}`, { plugins: [organization()], options: BETTER_AUTH_OPTIONS });
    columnsBefore = columns();
    s = await startServer({ ...ORG, sessionCacheTtl: 0, database: db.dbUrl });  // Portcullis migrates BetterAuth's tables
    theirs = await serveBetterAuth(db.auth);
  });
  after(async () => {
    await theirs?.close();
    await s?.stop();
    await db?.drop();
  });

  test("Portcullis keeps BetterAuth's organization, member and invitation tables and session.activeOrganizationId as they were", () => {
    assert.ok(columnsBefore.includes('session.activeOrganizationId:text:YES'), columnsBefore);
    assert.equal(columns(), columnsBefore);
  });

  test('organizations and invitations made through either are listed, seen and answered by the other', async () => {
    await sharedDatabase(s, theirs, db.auth, (statement) => psql(db.dbUrl, statement));
  });
});
