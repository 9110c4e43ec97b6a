'use strict';
// The Node.js stubs test (issue 6, "Polyglot stubs"): proves that proto/ is usable from
// another language without any Java in between. It loads every .proto under
// proto/src/main/proto the way a stub generator does (protoc's include paths:
// proto/src/main/proto and proto/third_party; google/protobuf/* from the library), builds
// @grpc/grpc-js clients from them, and calls a running server: every DirectoryService
// create, every token service's create, introspection of each minted token, a revocation,
// the error model (google.rpc.Status in grpc-status-details-bin) and the JWKS.
//
// Field names: keepCase false, i.e. lowerCamelCase (`expiresIn`, `tenantId`), the spelling
// the JS/TS generators (ts-proto, protobuf-es, proto-loader-gen-types' default) give fields.
// That is the camelCase of the proto field name, NOT its json_name: `company_id_alias`
// (json_name `companyId`) is `companyIdAlias` here. int64 fields come as decimal strings
// (`longs: String`), enums as their names.
//
// Environment (set by polyglot/run):
//   TA_GRPC_ADDRESS          host:port of the server's gRPC port
//   TA_BOOTSTRAP_TOKEN_FILE  <data-dir>/bootstrap-token of that server (admin, every scope)
//
// Run: node --test stubs_test.js

const test = require('node:test');
const { before, after } = test;
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const REPO = path.resolve(__dirname, '..', '..');
const PROTO_ROOT = path.join(REPO, 'proto', 'src', 'main', 'proto');
const THIRD_PARTY = path.join(REPO, 'proto', 'third_party');
const INCLUDE_DIRS = [PROTO_ROOT, THIRD_PARTY];
const PKG = 'tokenauthority.v1';

// Every service of the package; a service added to proto/ without being added here fails
// the "services" test, so this list (and this test) keeps up with the API.
const EXPECTED_SERVICES = [
  'AccessTokenService',
  'AccountApiTokenService',
  'AuditService',
  'DirectoryService',
  'FaultTokenService',
  'RecordTokenService',
  'SigningKeyService',
  'TokenService',
  'WorkspaceTokenService',
];

const ADDRESS = process.env.TA_GRPC_ADDRESS;
const TOKEN_FILE = process.env.TA_BOOTSTRAP_TOKEN_FILE;
if (!ADDRESS || !TOKEN_FILE) {
  throw new Error('set TA_GRPC_ADDRESS (host:port) and TA_BOOTSTRAP_TOKEN_FILE (polyglot/run does)');
}

/** Every .proto under proto/src/main/proto, as protoc names them (relative to the root). */
function protoFiles() {
  const out = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.proto')) out.push(path.relative(PROTO_ROOT, full).split(path.sep).join('/'));
    }
  };
  walk(PROTO_ROOT);
  return out.sort();
}

const LOADER_OPTIONS = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true, // proto3 scalars read as their defaults (`active: false`), as in generated code
  oneofs: false, // proto3 `optional` fields are simply absent when unset
  includeDirs: INCLUDE_DIRS,
};

const FILES = protoFiles();
const packageDefinition = protoLoader.loadSync(FILES, LOADER_OPTIONS);
const api = grpc.loadPackageDefinition(packageDefinition).tokenauthority.v1;

// The error details are decoded as a generated stub's `Status.decode` would, with
// ErrorInfo and BadRequest from proto/third_party/google/rpc/error_details.proto (the file
// errors.proto imports). google/rpc/status.proto is not vendored (no file of ours imports
// it; Go, Python and Java clients take google.rpc.Status from their gRPC status library),
// so its one message is declared here exactly as that file declares it.
const detailsRoot = new protobuf.Root();
detailsRoot.resolvePath = (origin, target) => {
  if (path.isAbsolute(target)) return target;
  for (const dir of INCLUDE_DIRS) {
    const candidate = path.join(dir, target);
    if (fs.existsSync(candidate)) return candidate;
  }
  return target; // google/protobuf/*: protobufjs's bundled well-known types
};
detailsRoot.loadSync(['google/rpc/error_details.proto', 'google/protobuf/any.proto'], { keepCase: false });
protobuf.parse(`syntax = "proto3";
package google.rpc;
import "google/protobuf/any.proto";
message Status {
  int32 code = 1;
  string message = 2;
  repeated google.protobuf.Any details = 3;
}`, detailsRoot, { keepCase: false });
detailsRoot.resolveAll();

// ---------------------------------------------------------------------------------------
// Helpers

let adminSecret;
const clients = {};

function bearer(secret) {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${secret}`);
  return md;
}

/** Calls `service.method(request)` with the admin credential (or `secret`; null: none). */
function call(service, method, request, secret = adminSecret) {
  const client = clients[service];
  assert.ok(client, `no client for ${service}`);
  assert.equal(typeof client[method], 'function', `${service} has no method ${method}`);
  const md = secret === null ? new grpc.Metadata() : bearer(secret);
  return new Promise((resolve, reject) => {
    client[method](request, md, { deadline: Date.now() + 15000 }, (err, response) =>
      (err ? reject(err) : resolve(response)));
  });
}

/** Awaits a call that must fail; returns the grpc-js error. */
async function callFails(service, method, request, secret) {
  try {
    const response = await call(service, method, request, secret);
    assert.fail(`${service}.${method} succeeded but should have failed: ${JSON.stringify(response)}`);
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    return err;
  }
}

/** The google.rpc.Status in the error's grpc-status-details-bin trailer, details unpacked. */
function statusDetails(err) {
  const raw = err.metadata && err.metadata.get('grpc-status-details-bin');
  assert.ok(raw && raw.length === 1, `the error carries no grpc-status-details-bin: ${err.message}`);
  const Status = detailsRoot.lookupType('google.rpc.Status');
  const status = Status.decode(raw[0]);
  const details = status.details.map((any) => {
    // protobufjs's bundled Any keeps the proto spelling: type_url
    const typeName = any.type_url.slice(any.type_url.lastIndexOf('/') + 1);
    const type = detailsRoot.lookupType(typeName);
    return { typeName, value: type.toObject(type.decode(any.value), { defaults: true }) };
  });
  return { code: status.code, message: status.message, details };
}

function detailOf(parsed, typeName) {
  const found = parsed.details.filter((d) => d.typeName === typeName);
  assert.equal(found.length, 1, `expected exactly one ${typeName}, got ${JSON.stringify(parsed.details)}`);
  return found[0].value;
}

/** Checks the one ErrorInfo of an error and returns its metadata. */
function assertErrorInfo(err, grpcCode, reason) {
  assert.equal(err.code, grpcCode, `status ${err.code} (${err.details}), expected ${grpcCode}`);
  const parsed = statusDetails(err);
  assert.equal(parsed.code, grpcCode, 'the Status code matches the gRPC status');
  assert.equal(parsed.message, err.details, 'the Status message is the gRPC status message');
  const info = detailOf(parsed, 'google.rpc.ErrorInfo');
  assert.equal(info.domain, 'tokenauthority.dev');
  assert.equal(info.reason, reason);
  return { parsed, info };
}

function jwtHeader(jwt) {
  const parts = jwt.split('.');
  assert.equal(parts.length, 3, 'a compact JWS has three parts');
  return JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
}

function jwtClaims(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

async function introspect(token) {
  return call('TokenService', 'IntrospectToken', { token });
}

const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

// Filled in by the tests below, in order (node:test runs a file's top-level tests one after
// another).
const state = {};

before(() => {
  adminSecret = fs.readFileSync(TOKEN_FILE, 'utf8').trim();
  assert.ok(adminSecret.length > 0, `${TOKEN_FILE} is empty`);
  for (const name of EXPECTED_SERVICES) {
    if (typeof api[name] === 'function') {
      clients[name] = new api[name](ADDRESS, grpc.credentials.createInsecure());
    }
  }
});

after(() => {
  for (const client of Object.values(clients)) client.close();
});

// ---------------------------------------------------------------------------------------
// Loading

test('every .proto loads with protoc include paths, well-known types included', () => {
  assert.ok(FILES.length >= 11, `found only ${FILES.length} .proto files`);
  for (const f of FILES) assert.match(f, /^tokenauthority\/v1\/[a-z_]+\.proto$/);
  // imported, not vendored: they come with protobufjs
  for (const t of ['google.protobuf.MethodOptions', 'google.protobuf.ListValue',
    'google.protobuf.Timestamp', 'google.rpc.ErrorInfo', 'google.rpc.BadRequest',
    'google.api.HttpRule']) {
    assert.ok(packageDefinition[t], `${t} is not in the package definition`);
    assert.equal(packageDefinition[t].format, 'Protocol Buffer 3 DescriptorProto');
  }
  assert.ok(detailsRoot.lookupType('google.rpc.Status'), 'google.rpc.Status decodes');
});

test(`every service of ${PKG} is present, with every rpc its .proto declares`, () => {
  const found = Object.keys(packageDefinition)
    .filter((k) => k.startsWith(`${PKG}.`) && !('format' in packageDefinition[k]))
    .map((k) => k.slice(PKG.length + 1)).sort();
  assert.deepEqual(found, EXPECTED_SERVICES);
  // cross-check with the source text: every `service` and `rpc` declared is loaded
  let declared = 0;
  for (const f of FILES) {
    const text = fs.readFileSync(path.join(PROTO_ROOT, f), 'utf8');
    let service = null;
    for (const line of text.split('\n')) {
      const s = line.match(/^service (\w+)/);
      if (s) { service = s[1]; assert.ok(found.includes(service), `${f}: ${service} not loaded`); }
      const r = line.match(/^\s+rpc (\w+)\(/);
      if (r) {
        declared++;
        const def = packageDefinition[`${PKG}.${service}`];
        assert.ok(def[r[1]], `${service}.${r[1]} not loaded`);
        assert.equal(def[r[1]].path, `/${PKG}.${service}/${r[1]}`);
        assert.equal(typeof clients[service][r[1]], 'function', `the client has no ${r[1]}`);
      }
    }
  }
  assert.ok(declared >= 30, `only ${declared} rpcs declared?`);
});

// ---------------------------------------------------------------------------------------
// The directory

test('the bootstrap token introspects as an active workspace token of its tenant', async () => {
  const r = await introspect(adminSecret);
  assert.equal(r.active, true);
  assert.equal(r.tokenType, 'workspace');
  assert.match(r.tenantId, /^ten_[a-z0-9]{24}$/);
  assert.match(r.sub, /^usr_[a-z0-9]{24}$/);
  assert.match(r.jti, /^tok_[a-z0-9]{24}$/);
  for (const scope of ['tokens:write', 'records:update', 'faults:read', 'directory:write',
    'tokens:introspect', 'tokens:revoke', 'tenants:write', 'keys:read']) {
    assert.ok(r.scope.split(' ').includes(scope), `the admin lacks ${scope}: ${r.scope}`);
  }
  state.adminTenant = r.tenantId;
  state.adminUser = r.sub;
  state.adminEmail = r.username;
});

test('DirectoryService: CreateTenant, CreateUser, CreateRecord, CreateAccount, CreateModule', async () => {
  const tenant = await call('DirectoryService', 'CreateTenant', {
    tenant: { name: `Polyglot ${unique}` }, adminEmail: `admin-${unique}@example.com`,
  });
  assert.match(tenant.tenant.id, /^ten_[a-z0-9]{24}$/);
  assert.notEqual(tenant.tenant.id, state.adminTenant);
  assert.equal(tenant.tenant.name, `Polyglot ${unique}`);
  assert.ok(Number(tenant.tenant.createTime.seconds) > 0, 'createTime is a Timestamp');
  assert.equal(tenant.adminUser.email, `admin-${unique}@example.com`);
  assert.match(tenant.adminToken.token, /^taw_/);
  assert.equal(tenant.adminToken.status, 'active');
  state.tenant = tenant;

  const user = await call('DirectoryService', 'CreateUser', {
    user: { email: `dev-${unique}@example.com`, firstName: 'Ada', lastName: 'Lovelace', userType: 'HUMAN' },
    scopes: ['tokens:read', 'tokens:write'],
  });
  assert.match(user.id, /^usr_[a-z0-9]{24}$/);
  assert.equal(user.email, `dev-${unique}@example.com`);
  assert.equal(user.firstName, 'Ada');
  assert.equal(user.active, true, 'active defaults to true');
  assert.equal(user.changeSequence, 1);
  state.user = user;

  const record = await call('DirectoryService', 'CreateRecord', {
    record: { id: `rec-${unique}`, title: 'Invoice 1' },
  });
  assert.equal(record.id, `rec-${unique}`);
  assert.equal(record.title, 'Invoice 1');
  state.record = record;

  const account = await call('DirectoryService', 'CreateAccount', { account: { name: 'Acme' } });
  assert.match(account.id, /^acc_[a-z0-9]{24}$/, 'an account without id gets one');
  assert.equal(account.name, 'Acme');
  assert.equal(account.type, 'standard');
  assert.equal(account.status, 'active');
  state.account = account;

  // map<string, google.protobuf.ListValue>: the struct.proto types, as a stub builds them
  const module = await call('DirectoryService', 'CreateModule', {
    module: {
      id: `buyers-${unique}`,
      name: 'Buyers',
      filters: { 'group.buyers': { values: [{ stringValue: 'north' }, { stringValue: 'south' }] } },
      settings: { configurable: true, type: ['crm'], eligibility: { single: true } },
    },
  });
  assert.equal(module.id, `buyers-${unique}`);
  assert.deepEqual(module.filters['group.buyers'].values.map((v) => v.stringValue), ['north', 'south']);
  assert.equal(module.settings.configurable, true);
  assert.equal(module.settings.eligibility.single, true);
  state.module = module;
});

// ---------------------------------------------------------------------------------------
// The five token services

test('RecordTokenService.CreateRecordToken mints a record JWT', async () => {
  const t = await call('RecordTokenService', 'CreateRecordToken', { record: state.record.id, expiresIn: '3600' });
  assert.equal(t.type, 'record');
  assert.equal(t.status, 'active');
  assert.equal(t.recordId, state.record.id);
  assert.equal(t.companyId, state.adminTenant);
  assert.equal(t.companyIdAlias, t.companyId);
  assert.equal(t.userId, state.adminUser);
  assert.equal(t.userIdAlias, t.userId);
  assert.match(t.key, /^rtk_/);
  assert.equal(Number(t.expiresAt.seconds) - Number(t.createdAt.seconds), 3600);
  const claims = jwtClaims(t.token);
  assert.equal(claims.jti, t.key);
  assert.equal(claims.rec, state.record.id);
  assert.equal(claims.tid, state.adminTenant);
  assert.equal(claims.scope, 'records:update');
  assert.equal(jwtHeader(t.token).alg, 'ES256');
  state.recordToken = t;
});

test('FaultTokenService.GenerateFaultToken mints a fault JWT and a share link', async () => {
  const t = await call('FaultTokenService', 'GenerateFaultToken', { expireAfterMinutes: 60 });
  assert.equal(t.type, 'jwt');
  assert.equal(t.status, 'active');
  assert.equal(t.expiresInMinutes, 60);
  assert.match(t.id, /^ftk_[a-z0-9]{24}$/);
  assert.match(t.shortLink, /\/s\/[A-Za-z0-9_-]+$/);
  const claims = jwtClaims(t.token);
  assert.equal(claims.jti, t.id);
  assert.equal(claims.aud, 'faults');
  assert.equal(claims.scope, 'faults:read');
  assert.equal(Number(t.expiresAt.seconds), claims.exp);
  state.faultToken = t;
});

test('AccountApiTokenService.CreateApiToken mints an account API secret', async () => {
  const t = await call('AccountApiTokenService', 'CreateApiToken', {
    apiToken: { account: { id: state.account.id }, name: 'ERP sync', modules: [{ id: state.module.id }] },
  });
  assert.match(t.id, /^apt_[a-z0-9]{24}$/);
  assert.match(t.token, /^taa_/);
  assert.equal(t.status, 'active');
  assert.equal(t.name, 'ERP sync');
  assert.equal(t.account.id, state.account.id);
  assert.equal(t.account.name, 'Acme', 'the response expands the account');
  assert.deepEqual(t.modules.map((m) => m.name), ['Buyers'], 'the response expands the modules');
  assert.equal(t.description, undefined, 'an unset optional field is absent');
  assert.equal(t.lastAccessAt, null, 'an unset message field is null');
  assert.equal(t.audit.created.by.id, state.adminUser);
  assert.deepEqual(t.meta.omitted, [], 'nothing is omitted on creation');
  state.apiToken = t;
});

test('AccessTokenService.CreateAccessToken mints a user access token for another user', async () => {
  const t = await call('AccessTokenService', 'CreateAccessToken', {
    accessToken: { name: 'my laptop', userId: state.user.id },
  });
  assert.match(t.token, /^tau_/);
  assert.match(t.id, /^[0-9a-f-]{36}$/, 'a UUID');
  assert.equal(t.status, 'active');
  assert.equal(t.changeSequence, 1);
  assert.equal(t.userId, state.user.id);
  assert.equal(t.user.email, state.user.email, 'the response expands the user');
  assert.equal(t.expiresAt, null, 'no expiry');
  state.accessToken = t;
});

test('WorkspaceTokenService.CreateWorkspaceToken mints a scoped workspace secret', async () => {
  const expires = Math.floor(Date.now() / 1000) + 86400;
  const t = await call('WorkspaceTokenService', 'CreateWorkspaceToken', {
    name: `CI deploy ${unique}`, scopes: ['tokens:read', 'tokens:introspect'], expiresAt: { seconds: String(expires), nanos: 0 },
  });
  assert.match(t.id, /^tok_[a-z0-9]{24}$/);
  assert.match(t.token, /^taw_/);
  assert.equal(t.status, 'active');
  assert.deepEqual(t.scopes, ['tokens:read', 'tokens:introspect']);
  assert.equal(Number(t.expiresAt.seconds), expires);
  assert.equal(t.createdBy, state.adminEmail);
  state.workspaceToken = t;
  state.workspaceExpires = expires;
});

// ---------------------------------------------------------------------------------------
// Introspection of every minted token

test('TokenService.IntrospectToken: every minted token is active, of its kind and tenant', async () => {
  const now = Math.floor(Date.now() / 1000);
  const check = (r, kind) => {
    assert.equal(r.active, true, `${kind} token inactive`);
    assert.equal(r.tokenType, kind);
    assert.equal(r.tenantId, state.adminTenant, `${kind}: tenant`);
    assert.ok(Math.abs(Number(r.iat) - now) < 300, `${kind}: iat ${r.iat} is not now`);
  };

  const rec = await introspect(state.recordToken.token);
  check(rec, 'record');
  assert.equal(rec.jti, state.recordToken.key);
  assert.equal(rec.resource, `records/${state.record.id}`);
  assert.equal(rec.scope, 'records:update');
  assert.equal(rec.sub, state.adminUser);
  assert.equal(rec.exp, String(state.recordToken.expiresAt.seconds), 'int64 exp as a string');

  const fault = await introspect(state.faultToken.token);
  check(fault, 'fault');
  assert.equal(fault.jti, state.faultToken.id);
  assert.equal(fault.resource, 'faults');
  assert.equal(fault.scope, 'faults:read');

  const apt = await introspect(state.apiToken.token);
  check(apt, 'account_api');
  assert.equal(apt.jti, state.apiToken.id);
  assert.equal(apt.resource, `accounts/${state.account.id}`);
  assert.ok(!apt.scope, `an account API token holds no scopes: ${apt.scope}`);

  const acc = await introspect(state.accessToken.token);
  check(acc, 'access');
  assert.equal(acc.jti, state.accessToken.id);
  assert.equal(acc.sub, state.user.id);
  assert.equal(acc.username, state.user.email);
  assert.deepEqual(acc.scope.split(' ').sort(), ['tokens:read', 'tokens:write'], 'caller ∩ user scopes');
  assert.equal(acc.exp, '0', 'never expires');

  const ws = await introspect(state.workspaceToken.token);
  check(ws, 'workspace');
  assert.equal(ws.jti, state.workspaceToken.id);
  assert.equal(ws.exp, String(state.workspaceExpires));
  assert.deepEqual(ws.scope.split(' ').sort(), ['tokens:introspect', 'tokens:read']);
  assert.equal(ws.username, state.adminEmail);

  // the new tenant's admin token belongs to the new tenant (asked by that tenant: for any
  // other tenant it is inactive, see the next test)
  const other = await call('TokenService', 'IntrospectToken', { token: state.tenant.adminToken.token },
    state.tenant.adminToken.token);
  assert.equal(other.active, true);
  assert.equal(other.tokenType, 'workspace');
  assert.equal(other.tenantId, state.tenant.tenant.id);
  assert.equal(other.sub, state.tenant.adminUser.id);
});

test('a token of another tenant introspects as inactive, with no other field', async () => {
  assert.deepEqual(await introspect(state.tenant.adminToken.token), { active: false });
  // the new tenant's admin asks about the first tenant's workspace token
  const r = await call('TokenService', 'IntrospectToken', { token: state.workspaceToken.token },
    state.tenant.adminToken.token);
  assert.deepEqual(r, { active: false });
});

test('a revoked token introspects as inactive', async () => {
  const revoked = await call('RecordTokenService', 'RevokeRecordToken', {
    record: state.record.id, key: state.recordToken.key,
  });
  assert.equal(revoked.status, 'revoked');
  assert.equal(revoked.token, undefined, 'the JWT is never returned again');
  const r = await introspect(state.recordToken.token);
  assert.deepEqual(r, { active: false }, 'only active: false');
  // the others are untouched
  assert.equal((await introspect(state.faultToken.token)).active, true);
  // and a tampered JWT is not ours
  const [h, p, s] = state.faultToken.token.split('.');
  const flipped = s.slice(0, -2) + (s.at(-2) === 'A' ? 'B' : 'A') + s.at(-1);
  assert.equal((await introspect(`${h}.${p}.${flipped}`)).active, false);
});

// ---------------------------------------------------------------------------------------
// The error model: google.rpc.Status in grpc-status-details-bin

test('a missing required field is INVALID_ARGUMENT with ErrorInfo and a BadRequest violation', async () => {
  const err = await callFails('WorkspaceTokenService', 'CreateWorkspaceToken', { scopes: ['tokens:read'] });
  const { parsed, info } = assertErrorInfo(err, grpc.status.INVALID_ARGUMENT, 'INVALID_FIELD');
  const bad = detailOf(parsed, 'google.rpc.BadRequest');
  const violation = bad.fieldViolations.find((v) => v.field === 'name');
  assert.ok(violation, `no violation for name: ${JSON.stringify(bad)}`);
  assert.equal(violation.reason, 'FIELD_REQUIRED');
  assert.ok(violation.description.length > 0);
  assert.equal(parsed.details.length, 2, 'exactly ErrorInfo and BadRequest');

  // a proto3 `optional` field left unset is "missing" too, named by its JSON name
  const fault = await callFails('FaultTokenService', 'GenerateFaultToken', {});
  const faultParsed = assertErrorInfo(fault, grpc.status.INVALID_ARGUMENT, 'INVALID_FIELD').parsed;
  assert.deepEqual(detailOf(faultParsed, 'google.rpc.BadRequest').fieldViolations
    .map((v) => [v.field, v.reason]), [['expire_after_minutes', 'FIELD_REQUIRED']]);
});

test('an unknown record is NOT_FOUND with RESOURCE_NOT_FOUND naming it', async () => {
  const err = await callFails('RecordTokenService', 'CreateRecordToken', { record: `missing-${unique}` });
  const { info } = assertErrorInfo(err, grpc.status.NOT_FOUND, 'RESOURCE_NOT_FOUND');
  assert.equal(info.metadata.id, `missing-${unique}`);
  assert.ok(info.metadata.type, 'metadata names the type');
});

test('no credential is UNAUTHENTICATED (CREDENTIAL_MISSING); a revoked one CREDENTIAL_REVOKED', async () => {
  const none = await callFails('WorkspaceTokenService', 'ListWorkspaceTokens', {}, null);
  assertErrorInfo(none, grpc.status.UNAUTHENTICATED, 'CREDENTIAL_MISSING');

  await call('WorkspaceTokenService', 'RevokeWorkspaceToken', { id: state.workspaceToken.id });
  const revoked = await callFails('WorkspaceTokenService', 'ListWorkspaceTokens', {}, state.workspaceToken.token);
  assertErrorInfo(revoked, grpc.status.UNAUTHENTICATED, 'CREDENTIAL_REVOKED');
  assert.equal((await introspect(state.workspaceToken.token)).active, false);
});

test('a missing scope is PERMISSION_DENIED (SCOPE_MISSING) naming the scope', async () => {
  // the access token holds tokens:read and tokens:write, not records:update
  const err = await callFails('RecordTokenService', 'CreateRecordToken', { record: state.record.id },
    state.accessToken.token);
  const { info } = assertErrorInfo(err, grpc.status.PERMISSION_DENIED, 'SCOPE_MISSING');
  assert.equal(info.metadata.scope, 'records:update');
});

// ---------------------------------------------------------------------------------------
// The JWKS

test('SigningKeyService.GetJwks (no credential) publishes the key every minted JWT names', async () => {
  const jwks = await call('SigningKeyService', 'GetJwks', {}, null);
  assert.ok(jwks.keys.length >= 1);
  for (const k of jwks.keys) {
    assert.equal(k.kty, 'EC');
    assert.equal(k.crv, 'P-256');
    assert.equal(k.alg, 'ES256');
    assert.equal(k.use, 'sig');
    assert.match(k.x, /^[A-Za-z0-9_-]{43}$/);
    assert.match(k.y, /^[A-Za-z0-9_-]{43}$/);
  }
  const kids = jwks.keys.map((k) => k.kid);
  for (const jwt of [state.recordToken.token, state.faultToken.token]) {
    const { kid } = jwtHeader(jwt);
    assert.ok(kid, 'the JWT names its key');
    assert.ok(kids.includes(kid), `kid ${kid} is not in the JWKS ${kids}`);
  }
  assert.equal(kids[0], jwtHeader(state.faultToken.token).kid, 'the current key comes first');
});
