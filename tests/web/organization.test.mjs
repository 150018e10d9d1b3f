// portcullis/client's organizations (the server's --organization; BetterAuth's organization plugin,
// without teams): the requests both clients send, the local role check, and a round trip against
// the real server binary (create, invite, verify, accept, members, roles, remove, leave, delete),
// through createClient and through BetterAuth's own client wrapped by fromBetterAuth.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { createAuthClient } from 'better-auth/client';
import { organizationClient } from 'better-auth/client/plugins';

import { createClient, fromBetterAuth } from '../../web/client/index.js';
import { browserFetch, outboxMails, startServer, waitFor } from '../support/server.mjs';

const PASSWORD = 'violet-harbour-tangent-77';
const SITE = 'http://localhost:3999'; // the page's origin: a trusted origin of the server

let n = 0;
const newEmail = () => `org${process.pid}-${++n}@example.com`;
const failed = (r) => [r.ok, r.status, r.code];

describe("organizations: the requests both clients send (BetterAuth's organizationClient() names)", () => {
  // A fetch that answers 200 with `body` (or 400 with a code for `failing` paths) and records each request.
  function recording({ failing = [] } = {}) {
    const seen = [];
    const f = async (url, init = {}) => {
      const u = new URL(url);
      const path = u.pathname.replace(/^\/api\/auth/, '');
      // The query sorted: the two clients may order it differently.
      const query = [...u.searchParams].sort(([a], [b]) => a.localeCompare(b));
      const body = init.body === undefined || init.body === null ? undefined : JSON.parse(init.body);
      seen.push([init.method ?? 'GET', path, query, body]);
      if (failing.includes(path)) {
        return Response.json({ code: 'MEMBER_NOT_FOUND', message: 'Member not found' }, { status: 400 });
      }
      return Response.json({ path }, { status: 200 });
    };
    f.seen = seen;
    return f;
  }
  const clients = {
    createClient: (f) => createClient({ baseURL: 'http://127.0.0.1:9', fetch: f }),
    fromBetterAuth: (f) =>
      fromBetterAuth(createAuthClient({ baseURL: 'http://127.0.0.1:9', plugins: [organizationClient()], fetchOptions: { customFetchImpl: f } })),
  };
  const PERMISSIONS = { member: ['create'], invitation: ['create'] };
  // [method, args, HTTP method, path, query, body, tells the session listeners]
  const CALLS = [
    ['create', [{ name: 'Acme', slug: 'acme', logo: null, metadata: { plan: 'pro' } }], 'POST', '/organization/create', [], { name: 'Acme', slug: 'acme', logo: null, metadata: { plan: 'pro' } }, true],
    ['create', [{ name: 'Beta', slug: 'beta', keepCurrentActiveOrganization: true }], 'POST', '/organization/create', [], { name: 'Beta', slug: 'beta', keepCurrentActiveOrganization: true }, false],
    ['update', [{ data: { name: 'Acme Inc' }, organizationId: 'o1' }], 'POST', '/organization/update', [], { data: { name: 'Acme Inc' }, organizationId: 'o1' }, false],
    ['delete', [{ organizationId: 'o1' }], 'POST', '/organization/delete', [], { organizationId: 'o1' }, true],
    ['setActive', [{ organizationId: 'o1' }], 'POST', '/organization/set-active', [], { organizationId: 'o1' }, true],
    ['setActive', [{ organizationId: null }], 'POST', '/organization/set-active', [], { organizationId: null }, true],
    ['setActive', [], 'POST', '/organization/set-active', [], {}, true],
    ['list', [], 'GET', '/organization/list', [], undefined, false],
    ['getOrganization', [{ organizationSlug: 'acme' }], 'GET', '/organization/get-organization', [['organizationSlug', 'acme']], undefined, false],
    ['getFullOrganization', [], 'GET', '/organization/get-full-organization', [], undefined, false],
    ['getFullOrganization', [{ organizationId: 'o1', membersLimit: 5 }], 'GET', '/organization/get-full-organization', [['membersLimit', '5'], ['organizationId', 'o1']], undefined, false],
    ['checkSlug', [{ slug: 'acme' }], 'POST', '/organization/check-slug', [], { slug: 'acme' }, false],
    ['inviteMember', [{ email: 'bob@example.com', role: ['admin', 'member'], organizationId: 'o1', resend: true }], 'POST', '/organization/invite-member', [], { email: 'bob@example.com', role: ['admin', 'member'], organizationId: 'o1', resend: true }, false],
    ['acceptInvitation', [{ invitationId: 'i1' }], 'POST', '/organization/accept-invitation', [], { invitationId: 'i1' }, true],
    ['rejectInvitation', [{ invitationId: 'i1' }], 'POST', '/organization/reject-invitation', [], { invitationId: 'i1' }, false],
    ['cancelInvitation', [{ invitationId: 'i1' }], 'POST', '/organization/cancel-invitation', [], { invitationId: 'i1' }, false],
    ['getInvitation', [{ id: 'i1' }], 'GET', '/organization/get-invitation', [['id', 'i1']], undefined, false],
    ['listInvitations', [{ organizationId: 'o1' }], 'GET', '/organization/list-invitations', [['organizationId', 'o1']], undefined, false],
    ['listUserInvitations', [], 'GET', '/organization/list-user-invitations', [], undefined, false],
    ['removeMember', [{ memberIdOrEmail: 'bob@example.com', organizationId: 'o1' }], 'POST', '/organization/remove-member', [], { memberIdOrEmail: 'bob@example.com', organizationId: 'o1' }, true],
    ['updateMemberRole', [{ memberId: 'm2', role: 'admin', organizationId: 'o1' }], 'POST', '/organization/update-member-role', [], { memberId: 'm2', role: 'admin', organizationId: 'o1' }, false],
    ['getActiveMember', [], 'GET', '/organization/get-active-member', [], undefined, false],
    ['getActiveMemberRole', [{ userId: 'u2' }], 'GET', '/organization/get-active-member-role', [['userId', 'u2']], undefined, false],
    ['leave', [{ organizationId: 'o1' }], 'POST', '/organization/leave', [], { organizationId: 'o1' }, true],
    ['listMembers', [{ organizationId: 'o1', limit: 10, offset: 20 }], 'GET', '/organization/list-members', [['limit', '10'], ['offset', '20'], ['organizationId', 'o1']], undefined, false],
    ['hasPermission', [{ permissions: PERMISSIONS, organizationId: 'o1' }], 'POST', '/organization/has-permission', [], { permissions: PERMISSIONS, organizationId: 'o1' }, false],
  ];

  for (const [kind, make] of Object.entries(clients)) {
    test(`${kind}: every call's request, value, and the session listeners`, async () => {
      const f = recording();
      const client = make(f);
      const o = client.organization;
      assert.equal(Object.keys(o).length, 23, '22 routes and checkRolePermission');
      for (const [method, args, verb, path, query, body, tells] of CALLS) {
        const events = [];
        const unsubscribe = client.subscribe((e) => events.push(e.type));
        const r = await o[method](...args);
        unsubscribe();
        const what = `${method}(${JSON.stringify(args)})`;
        assert.deepEqual(r, { ok: true, value: { path } }, what);
        assert.deepEqual(f.seen.pop(), [verb, path, query, body], what);
        assert.deepEqual(events, tells ? ['session-changed'] : [], `${what}: the session listeners`);
      }
      assert.deepEqual(f.seen, [], 'one request per call');
    });

    test(`${kind}: a failure is {ok: false, status, code, message} and tells no listener`, async () => {
      const client = make(recording({ failing: ['/organization/leave', '/organization/create'] }));
      const events = [];
      client.subscribe((e) => events.push(e.type));
      const r = await client.organization.leave({ organizationId: 'o1' });
      assert.deepEqual([r.ok, r.status, r.code, r.message], [false, 400, 'MEMBER_NOT_FOUND', 'Member not found']);
      assert.equal((await client.organization.create({ name: 'A', slug: 'a' })).ok, false);
      assert.deepEqual(events, []);
    });
  }

  test('a query without values sends none; no server: NETWORK_ERROR', async () => {
    const f = recording();
    await createClient({ baseURL: 'http://127.0.0.1:9', fetch: f }).organization.listMembers({ organizationId: undefined, limit: 5, other: 'x' });
    assert.deepEqual(f.seen, [['GET', '/organization/list-members', [['limit', '5']], undefined]]);
    await createClient({ baseURL: 'http://127.0.0.1:9', fetch: f }).organization.inviteMember({ email: 'a@b.c', role: 'member', teamId: 't1' });
    assert.deepEqual(f.seen[1], ['POST', '/organization/invite-member', [], { email: 'a@b.c', role: 'member' }], 'only the keys the route takes');
    const down = await createClient({ baseURL: 'http://127.0.0.1:9' }).organization.list();
    assert.deepEqual(failed(down), [false, 0, 'NETWORK_ERROR']);
  });
});

describe('organizations: checkRolePermission, the default roles, without a request', () => {
  const CASES = [
    // [role, permissions, allowed]
    ['owner', { organization: ['update', 'delete'] }, true],
    ['owner', { member: ['create', 'update', 'delete'], invitation: ['create', 'cancel'], team: ['create'], ac: ['read', 'delete'] }, true],
    ['admin', { organization: ['update'] }, true],
    ['admin', { organization: ['delete'] }, false],
    ['admin', { member: ['create'], invitation: ['create'] }, true],
    ['admin', { member: ['delete'], organization: ['delete'] }, false], // every resource must be granted
    ['member', { ac: ['read'] }, true],
    ['member', { invitation: ['create'] }, false],
    ['member', { organization: ['update'] }, false],
    ['member,admin', { organization: ['update'] }, true], // one role of several suffices
    ['member, admin', { member: ['update'] }, true],
    [['member', 'owner'], { organization: ['delete'] }, true],
    ['owner,admin', { organization: ['delete'], ac: ['read'] }, true],
    // roles are not merged: neither grants both
    ['member,admin', { organization: ['delete'] }, false],
    ['owner', {}, false], // an empty request
    ['owner', { member: [] }, false], // a resource with no action asked
    ['owner', { billing: ['read'] }, false], // an unknown resource
    ['owner', { member: ['fly'] }, false], // an unknown action
    ['superuser', { ac: ['read'] }, false], // an unknown role
    ['', { ac: ['read'] }, false],
    ['toString', { ac: ['read'] }, false],
    ['owner', undefined, false],
  ];
  const clients = {
    createClient: (f) => createClient({ baseURL: 'http://127.0.0.1:9', fetch: f }),
    'fromBetterAuth (its organizationClient())': (f) =>
      fromBetterAuth(createAuthClient({ baseURL: 'http://127.0.0.1:9', plugins: [organizationClient()], fetchOptions: { customFetchImpl: f } })),
    'fromBetterAuth (a client without the plugin: the default roles here)': (f) =>
      fromBetterAuth(createAuthClient({ baseURL: 'http://127.0.0.1:9', fetchOptions: { customFetchImpl: f } })),
  };
  for (const [kind, make] of Object.entries(clients)) {
    test(kind, () => {
      const fetches = [];
      const check = make(async (url) => {
        fetches.push(String(url));
        return Response.json(true);
      }).organization.checkRolePermission;
      for (const [role, permissions, allowed] of CASES) {
        const r = check({ role, permissions });
        assert.equal(r, allowed, `${JSON.stringify(role)} ${JSON.stringify(permissions)}`);
      }
      assert.deepEqual(fetches, []);
    });
  }
});

describe("organizations: a round trip on the real server (--organization), through both clients", () => {
  let server;
  before(async () => {
    server = await startServer({ organization: true, mail: 'outbox', trustedOrigins: [SITE] });
  });
  after(async () => {
    await server?.stop();
  });
  const mails = (email, kind) => outboxMails(server.outbox).filter((m) => m.to === email && m.kind === kind);

  const clients = {
    createClient: () => createClient({ baseURL: server.url, fetch: browserFetch(SITE) }),
    fromBetterAuth: () =>
      fromBetterAuth(createAuthClient({ baseURL: server.url, plugins: [organizationClient()], fetchOptions: { customFetchImpl: browserFetch(SITE) } })),
  };

  // A signed-up user's client, with the session events it told.
  async function user(make, name) {
    const client = make();
    const email = newEmail();
    const up = await client.signUp({ name, email, password: PASSWORD });
    assert.equal(up.ok, true, JSON.stringify(up));
    const events = [];
    client.subscribe((e) => events.push(e.type));
    return { client, o: client.organization, email, id: up.value.user.id, events };
  }
  // Verifies the user's address through the mailed link.
  async function verify({ client, email }) {
    assert.equal((await client.sendVerificationEmail({ email })).ok, true);
    const { link } = await waitFor(() => mails(email, 'verify-email').at(-1), { what: 'the verification mail' });
    assert.ok((await fetch(link, { redirect: 'manual' })).status < 400);
  }
  const active = async ({ client }) => (await client.getSession()).value.session.activeOrganizationId ?? null;

  for (const [kind, make] of Object.entries(clients)) {
    test(kind, async () => {
      const anonymous = await make().organization.list();
      assert.deepEqual(failed(anonymous), [false, 401, 'UNAUTHORIZED']);

      const ada = await user(make, 'Ada');
      const bob = await user(make, 'Bob');
      const cy = await user(make, 'Cy');
      assert.equal(await active(ada), null, 'no active organization at first');

      // ---- create, slugs, list, update ----
      const slug = `acme-${kind}-${process.pid}`;
      assert.deepEqual(await ada.o.checkSlug({ slug }), { ok: true, value: { status: true } });
      const created = await ada.o.create({ name: 'Acme', slug, metadata: { plan: 'pro' } });
      assert.equal(created.ok, true, JSON.stringify(created));
      const acme = created.value;
      assert.deepEqual([acme.name, acme.slug, acme.logo, acme.metadata], ['Acme', slug, null, { plan: 'pro' }]);
      assert.deepEqual(acme.members.map((m) => [m.userId, m.role, m.organizationId]), [[ada.id, 'owner', acme.id]]);
      assert.deepEqual(ada.events, ['session-changed'], 'create made it active: the listeners are told');
      assert.equal(await active(ada), acme.id);

      const beta = await ada.o.create({ name: 'Beta', slug: `${slug}-beta`, keepCurrentActiveOrganization: true });
      assert.equal(beta.ok, true, JSON.stringify(beta));
      assert.equal(await active(ada), acme.id, 'keepCurrentActiveOrganization');
      assert.equal(ada.events.length, 1, 'and no listener is told');

      const taken = await ada.o.create({ name: 'Acme again', slug });
      assert.deepEqual(
        { ok: taken.ok, status: taken.status, code: taken.code, message: taken.message },
        { ok: false, status: 400, code: 'ORGANIZATION_ALREADY_EXISTS', message: 'Organization already exists' },
      );
      assert.deepEqual(failed(await ada.o.checkSlug({ slug })), [false, 400, 'ORGANIZATION_SLUG_ALREADY_TAKEN']);
      assert.deepEqual(failed(await ada.o.create({ name: '', slug: `${slug}-x` })), [false, 400, 'VALIDATION_ERROR']);
      assert.equal(ada.events.length, 1, 'failures tell no listener');

      const listed = await ada.o.list();
      assert.deepEqual(listed.value.map((o) => [o.slug, o.metadata]).sort(), [[slug, '{"plan":"pro"}'], [`${slug}-beta`, null]].sort());
      const renamed = await ada.o.update({ data: { name: 'Acme Inc', logo: 'https://example.com/acme.png' } });
      assert.equal(renamed.ok, true, JSON.stringify(renamed));
      assert.deepEqual([renamed.value.id, renamed.value.name, renamed.value.logo], [acme.id, 'Acme Inc', 'https://example.com/acme.png']);
      assert.equal((await ada.o.getOrganization({ organizationSlug: slug })).value.name, 'Acme Inc');
      assert.deepEqual(await bob.o.getOrganization(), { ok: true, value: null }, 'none named nor active');

      // ---- invitations ----
      const invited = await ada.o.inviteMember({ email: bob.email.toUpperCase(), role: 'admin' });
      assert.equal(invited.ok, true, JSON.stringify(invited));
      const bobInvitation = invited.value;
      assert.deepEqual(
        [bobInvitation.email, bobInvitation.role, bobInvitation.status, bobInvitation.organizationId, bobInvitation.inviterId],
        [bob.email, 'admin', 'pending', acme.id, ada.id],
      );
      const mail = await waitFor(() => mails(bob.email, 'organization-invitation')[0], { what: 'the invitation mail' });
      assert.ok(mail.link.includes(encodeURIComponent(bobInvitation.id)), mail.link);
      const cyInvitation = (await ada.o.inviteMember({ email: cy.email, role: ['member'], organizationId: acme.id })).value;
      assert.equal(cyInvitation.role, 'member');
      assert.deepEqual(failed(await ada.o.inviteMember({ email: bob.email, role: 'admin' })), [false, 400, 'USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION']);
      assert.deepEqual(failed(await ada.o.inviteMember({ email: newEmail(), role: 'superuser' })), [false, 400, 'ROLE_NOT_FOUND']);
      assert.deepEqual(failed(await ada.o.inviteMember({ email: 'not-an-address', role: 'member' })), [false, 400, 'INVALID_EMAIL']);
      assert.deepEqual(failed(await bob.o.inviteMember({ email: newEmail(), role: 'member', organizationId: acme.id })), [false, 400, 'MEMBER_NOT_FOUND']);
      const pending = await ada.o.listInvitations();
      assert.deepEqual(pending.value.map((i) => [i.email, i.status]).sort(), [[bob.email, 'pending'], [cy.email, 'pending']].sort());

      // An unverified address may neither see nor accept (Portcullis's default).
      assert.deepEqual(failed(await bob.o.listUserInvitations()), [false, 403, 'EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION']);
      assert.deepEqual(failed(await bob.o.getInvitation({ id: bobInvitation.id })), [false, 403, 'EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION']);
      assert.deepEqual(
        failed(await bob.o.acceptInvitation({ invitationId: bobInvitation.id })),
        [false, 403, 'EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION'],
      );
      assert.deepEqual(bob.events, []);
      await verify(bob);
      await verify(cy);
      assert.deepEqual(failed(await cy.o.acceptInvitation({ invitationId: bobInvitation.id })), [false, 403, 'YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION']);
      const seen = await bob.o.getInvitation({ id: bobInvitation.id });
      assert.deepEqual(
        [seen.value.id, seen.value.organizationName, seen.value.organizationSlug, seen.value.inviterEmail],
        [bobInvitation.id, 'Acme Inc', slug, ada.email],
      );
      const mine = await bob.o.listUserInvitations();
      assert.deepEqual(mine.value.map((i) => [i.id, i.organizationName]), [[bobInvitation.id, 'Acme Inc']]);

      const accepted = await bob.o.acceptInvitation({ invitationId: bobInvitation.id });
      assert.equal(accepted.ok, true, JSON.stringify(accepted));
      assert.deepEqual([accepted.value.invitation.status, accepted.value.member.role, accepted.value.member.userId], ['accepted', 'admin', bob.id]);
      assert.deepEqual(bob.events, ['session-changed'], 'accepting made it active: the listeners are told');
      assert.equal(await active(bob), acme.id);
      assert.deepEqual(failed(await bob.o.acceptInvitation({ invitationId: bobInvitation.id })), [false, 400, 'INVITATION_NOT_FOUND']);
      const cyAccepted = await cy.o.acceptInvitation({ invitationId: cyInvitation.id });
      assert.equal(cyAccepted.ok, true, JSON.stringify(cyAccepted));
      const cyMemberId = cyAccepted.value.member.id;

      // A rejected and a canceled invitation.
      const dan = await user(make, 'Dan');
      await verify(dan);
      const danInvitation = (await bob.o.inviteMember({ email: dan.email, role: 'member' })).value;
      const rejected = await dan.o.rejectInvitation({ invitationId: danInvitation.id });
      assert.deepEqual([rejected.value.invitation.status, rejected.value.member], ['rejected', null]);
      assert.deepEqual(dan.events, [], 'rejecting tells no listener');
      const again = (await ada.o.inviteMember({ email: dan.email, role: 'admin' })).value;
      assert.deepEqual(failed(await cy.o.cancelInvitation({ invitationId: again.id })), [false, 403, 'YOU_ARE_NOT_ALLOWED_TO_CANCEL_THIS_INVITATION']);
      assert.equal((await bob.o.cancelInvitation({ invitationId: again.id })).value.status, 'canceled');
      assert.deepEqual(failed(await dan.o.acceptInvitation({ invitationId: again.id })), [false, 400, 'INVITATION_NOT_FOUND']);

      // ---- members and roles ----
      const members = await cy.o.listMembers();
      assert.equal(members.ok, true, JSON.stringify(members));
      assert.equal(members.value.total, 3);
      assert.deepEqual(
        members.value.members.map((m) => [m.user.email, m.role]).sort(),
        [[ada.email, 'owner'], [bob.email, 'admin'], [cy.email, 'member']].sort(),
      );
      assert.equal((await ada.o.listMembers({ organizationId: acme.id, limit: 1 })).value.members.length, 1);
      const full = await ada.o.getFullOrganization();
      assert.deepEqual([full.value.id, full.value.members.length, full.value.invitations.length], [acme.id, 3, 4]);
      assert.deepEqual((await cy.o.getFullOrganization()).value.invitations, [], 'a member sees no invitations');
      const bobMember = (await bob.o.getActiveMember()).value;
      assert.deepEqual([bobMember.role, bobMember.user.email, bobMember.organizationId], ['admin', bob.email, acme.id]);
      assert.deepEqual(await ada.o.getActiveMemberRole({ userId: cy.id }), { ok: true, value: { role: 'member' } });
      assert.deepEqual(failed(await dan.o.listMembers({ organizationId: acme.id })), [false, 403, 'YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION']);
      assert.deepEqual(failed(await dan.o.getActiveMember()), [false, 400, 'NO_ACTIVE_ORGANIZATION']);

      assert.deepEqual(await bob.o.hasPermission({ permissions: { member: ['create'], invitation: ['create'] } }), { ok: true, value: { error: null, success: true } });
      assert.deepEqual(await bob.o.hasPermission({ permissions: { organization: ['delete'] } }), { ok: true, value: { error: null, success: false } });
      assert.deepEqual(await cy.o.hasPermission({ permissions: { invitation: ['create'] }, organizationId: acme.id }), { ok: true, value: { error: null, success: false } });
      // The local check agrees with the server for the roles the members have.
      assert.equal(bob.o.checkRolePermission({ role: bobMember.role, permissions: { organization: ['delete'] } }), false);
      assert.equal(ada.o.checkRolePermission({ role: 'owner', permissions: { organization: ['delete'] } }), true);
      assert.deepEqual(failed(await cy.o.inviteMember({ email: newEmail(), role: 'member' })), [false, 403, 'YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION']);
      assert.deepEqual(failed(await cy.o.listInvitations()), [false, 403, 'YOU_ARE_NOT_ALLOWED_TO_LIST_INVITATIONS']);
      assert.deepEqual(failed(await bob.o.inviteMember({ email: newEmail(), role: 'owner' })), [false, 403, 'YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE']);

      assert.deepEqual(failed(await bob.o.updateMemberRole({ memberId: cyMemberId, role: 'owner' })), [false, 403, 'YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER']);
      assert.deepEqual(failed(await cy.o.updateMemberRole({ memberId: bobMember.id, role: 'member' })), [false, 403, 'YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER']);
      const promoted = await ada.o.updateMemberRole({ memberId: cyMemberId, role: ['admin', ' member'] });
      assert.deepEqual([promoted.ok, promoted.value?.role, promoted.value?.userId], [true, 'admin,member', cy.id]);
      assert.deepEqual(await cy.o.getActiveMemberRole(), { ok: true, value: { role: 'admin,member' } });
      assert.equal((await ada.o.updateMemberRole({ memberId: cyMemberId, role: 'member' })).value.role, 'member');
      assert.deepEqual(failed(await ada.o.updateMemberRole({ memberId: acme.members[0].id, role: 'admin' })), [false, 400, 'YOU_CANNOT_LEAVE_THE_ORGANIZATION_WITHOUT_AN_OWNER']);
      assert.deepEqual(failed(await ada.o.updateMemberRole({ memberId: cyMemberId, role: 'nope' })), [false, 400, 'ROLE_NOT_FOUND']);
      assert.equal(ada.events.length, 1, 'role changes tell no listener');

      // ---- remove, leave ----
      assert.deepEqual(failed(await cy.o.removeMember({ memberIdOrEmail: bobMember.id })), [false, 403, 'YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER']);
      assert.deepEqual(failed(await bob.o.removeMember({ memberIdOrEmail: ada.email })), [false, 403, 'YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER']);
      assert.deepEqual(failed(await ada.o.leave({ organizationId: acme.id })), [false, 400, 'YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER']);
      const removed = await ada.o.removeMember({ memberIdOrEmail: bob.email });
      assert.equal(removed.ok, true, JSON.stringify(removed));
      assert.deepEqual([removed.value.member.id, removed.value.member.user.email], [bobMember.id, bob.email]);
      assert.deepEqual(ada.events, ['session-changed', 'session-changed'], 'remove-member tells the listeners');
      assert.equal(await active(bob), null, "the removed user's session lost it");
      assert.deepEqual(failed(await bob.o.getActiveMember()), [false, 400, 'NO_ACTIVE_ORGANIZATION']);
      assert.deepEqual(failed(await bob.o.setActive({ organizationId: acme.id })), [false, 403, 'USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION']);

      const left = await cy.o.leave({ organizationId: acme.id });
      assert.equal(left.ok, true, JSON.stringify(left));
      assert.deepEqual([left.value.id, left.value.user.email], [cyMemberId, cy.email]);
      assert.deepEqual(cy.events, ['session-changed', 'session-changed'], 'accept, then leave');
      assert.equal(await active(cy), null);
      assert.deepEqual((await ada.o.listMembers()).value.members.map((m) => m.user.email), [ada.email]);

      // ---- the active organization, delete ----
      const switched = await ada.o.setActive({ organizationSlug: `${slug}-beta` });
      assert.equal(switched.value.id, beta.value.id);
      assert.equal(await active(ada), beta.value.id);
      assert.deepEqual(await ada.o.setActive({ organizationId: null }), { ok: true, value: null });
      assert.equal(await active(ada), null);
      assert.equal((await ada.o.setActive({ organizationId: acme.id })).value.id, acme.id);
      assert.equal(ada.events.length, 5, 'each setActive tells the listeners');
      assert.deepEqual(failed(await bob.o.delete({ organizationId: acme.id })), [false, 403, 'USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION']);
      const deleted = await ada.o.delete({ organizationId: acme.id });
      assert.equal(deleted.ok, true, JSON.stringify(deleted));
      assert.deepEqual([deleted.value.id, deleted.value.metadata], [acme.id, '{"plan":"pro"}']);
      assert.equal(ada.events.length, 6, 'delete tells the listeners');
      assert.equal(await active(ada), null);
      assert.deepEqual((await ada.o.list()).value.map((o) => o.id), [beta.value.id]);
      assert.deepEqual(failed(await ada.o.getOrganization({ organizationId: acme.id })), [false, 400, 'ORGANIZATION_NOT_FOUND']);
    });
  }
});
