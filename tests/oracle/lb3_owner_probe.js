// Records what LoopBack 3.28 answers on the paths issue 12 says LB3 forgot ($owner on lists,
// relation endpoints and includes of guarded models, ids outside the path, a relation's foreign key
// in a body, hidden properties in a where or order, writes to the built-in models), for
// tests/oracle/lb3-3.28/owner-probe.json; tests/auth/test_owner_http.py sends the same requests.
//
//   mkdir -p /tmp/lb3 && cd /tmp/lb3 && npm install loopback@3 loopback-boot@3
//   NODE_PATH=/tmp/lb3/node_modules node tests/oracle/lb3_owner_probe.js > tests/oracle/lb3-3.28/owner-probe.json
//
// The models are tests/auth/owner_app.py's (the test checks they are the same), on the memory
// connector with app.enableAuth(); users alice (1), bob (2) and carol (3, in the static role admin
// by a RoleMapping: LB3's "Creating a default admin user").
'use strict';
const http = require('http');
const loopback = require('loopback');

const DENY_ALL = {principalType: 'ROLE', principalId: '$everyone', permission: 'DENY'};
const OWNER = {principalType: 'ROLE', principalId: '$owner', permission: 'ALLOW'};
const ADMIN = {principalType: 'ROLE', principalId: 'admin', permission: 'ALLOW'};
const MODELS = [
  {
    name: 'Member', base: 'User',
    relations: {notes: {type: 'hasMany', model: 'Note', foreignKey: 'ownerId'}},
    acls: [ADMIN],
  },
  {
    name: 'Note',
    properties: {
      title: {type: 'string', required: true},
      code: 'string', ownerId: 'number', boardId: 'number',
    },
    hidden: ['code'],
    relations: {
      owner: {type: 'belongsTo', model: 'Member', foreignKey: 'ownerId'},
      board: {type: 'belongsTo', model: 'Board', foreignKey: 'boardId'},
    },
    acls: [DENY_ALL, OWNER,
      {principalType: 'ROLE', principalId: '$authenticated', permission: 'ALLOW', property: 'create'}],
  },
  {
    name: 'Board',
    properties: {name: {type: 'string', required: true}, code: 'string'},
    hidden: ['code'],
    relations: {
      notes: {type: 'hasMany', model: 'Note', foreignKey: 'boardId'},
      secrets: {type: 'hasMany', model: 'Secret', foreignKey: 'boardId'},
    },
  },
  {
    name: 'Secret',
    properties: {text: 'string', boardId: 'number'},
    relations: {board: {type: 'belongsTo', model: 'Board', foreignKey: 'boardId'}},
    acls: [Object.assign({}, DENY_ALL, {accessType: 'READ'})],
  },
];
const BUILTINS = ['User', 'AccessToken', 'ACL', 'RoleMapping', 'Role'];
const q = o => encodeURIComponent(JSON.stringify(o));
// [caller, verb, path, body]
const REQUESTS = [
  ['alice', 'GET', '/Notes'],
  ['alice', 'GET', '/Notes/count'],
  ['alice', 'GET', `/Notes/findOne?filter=${q({where: {title: 'b1'}})}`],
  ['alice', 'GET', '/Notes/1'],
  ['alice', 'GET', '/Notes/2'],
  ['alice', 'GET', '/Notes/2/exists'],
  ['anonymous', 'GET', '/Notes'],
  ['alice', 'GET', '/Boards/1/notes'],
  ['alice', 'GET', '/Boards/1/notes/count'],
  ['alice', 'GET', '/Boards/1/notes/2'],
  ['anonymous', 'GET', '/Boards/1/notes'],
  ['alice', 'GET', `/Boards?filter=${q({include: 'notes', order: 'id'})}`],
  ['anonymous', 'GET', `/Boards?filter=${q({include: 'notes', order: 'id'})}`],
  ['alice', 'GET', '/Boards/1/secrets'],
  ['alice', 'GET', `/Boards?filter=${q({include: 'secrets', order: 'id'})}`],
  ['alice', 'GET', `/Notes/1?filter=${q({include: 'owner'})}`],
  ['alice', 'GET', `/Members/1?filter=${q({include: 'accessTokens'})}`],
  ['alice', 'GET', '/Members/1/accessTokens'],
  ['bob', 'GET', `/Boards?filter=${q({where: {code: {like: 'h%'}}})}`],
  ['bob', 'GET', `/Boards?filter=${q({order: 'code DESC'})}`],
  ['carol', 'GET', `/Members?filter=${q({where: {password: {like: '$2%'}}, fields: ['id']})}`],
  ['carol', 'GET', `/Members?filter=${q({where: {email: 'alice@example.com'}, fields: ['id', 'email']})}`],
  // ids outside the path: LB3's authorization reads params.id, then body.id, then query.id
  ['alice', 'POST', `/Notes/update?id=1&where=${q({ownerId: 2})}`, {title: 'pwned'}],
  ['alice', 'POST', `/Notes/upsertWithWhere?id=1&where=${q({title: 'b2'})}`, {title: 'b2 pwned'}],
  ['alice', 'PATCH', '/Notes?id=1', {id: 2, title: 'b1 patched'}],
  ['alice', 'PATCH', '/Notes', {id: 1, title: 'a1 patched'}],
  ['alice', 'GET', '/Notes'],
  // a relation endpoint and the child's foreign key
  ['alice', 'POST', '/Boards/1/notes', {title: 'moved?', boardId: 2, ownerId: 1}],
  ['alice', 'PUT', '/Boards/1/notes/1', {boardId: 2}],
  ['alice', 'GET', '/Notes/1'],
  // the built-in models, when an app makes them public
  ['alice', 'POST', '/RoleMappings', {principalType: 'USER', principalId: '1', roleId: 1}],
  ['alice', 'POST', '/Roles', {name: 'boss'}],
  ['alice', 'GET', '/RoleMappings'],
  ['alice', 'POST', '/ACLs', {model: 'Note', property: '*', accessType: '*', principalType: 'ROLE', principalId: '$everyone', permission: 'ALLOW'}],
  ['alice', 'POST', '/AccessTokens', {id: 'x'.repeat(64), userId: 2}],
];

function request(port, verb, path, token, body) {
  return new Promise((resolve, reject) => {
    const headers = {'Content-Type': 'application/json'};
    if (token) headers.Authorization = token;
    const req = http.request({host: '127.0.0.1', port, method: verb, path: '/api' + path, headers}, res => {
      let data = '';
      res.on('data', c => { data += c; });
      res.on('end', () => resolve({status: res.statusCode, body: data ? JSON.parse(data) : null}));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(JSON.stringify(body));
    req.end();
  });
}

async function main() {
  const app = loopback({localRegistry: true, loadBuiltinModels: true});
  app.set('restApiRoot', '/api');
  app.set('legacyExplorer', false);
  app.dataSource('db', {connector: 'memory'});
  const reg = app.registry;
  for (const name of BUILTINS) {
    app.model(reg.getModel(name), {dataSource: 'db', public: name !== 'User'});
  }
  for (const def of MODELS) {
    app.model(reg.createModel(JSON.parse(JSON.stringify(def))), {dataSource: 'db', public: true});
  }
  app.enableAuth();
  app.use('/api', loopback.rest());
  const Member = reg.getModel('Member');
  const Role = reg.getModel('Role');
  const RoleMapping = reg.getModel('RoleMapping');
  const tokens = {anonymous: null};
  for (const name of ['alice', 'bob', 'carol']) {
    const user = await Member.create({email: `${name}@example.com`, password: 'secret-pw'});
    tokens[name] = (await Member.login({email: `${name}@example.com`, password: 'secret-pw'})).id;
    if (name === 'carol') {  // LB3's "Creating a default admin user"
      const role = await Role.create({name: 'admin'});
      await role.principals.create({principalType: RoleMapping.USER, principalId: user.id});
    }
  }
  await reg.getModel('Board').create([{name: 'home', code: 'h-code'}, {name: 'work', code: 'w-code'}]);
  await reg.getModel('Note').create([
    {title: 'a1', code: 'alpha', ownerId: 1, boardId: 1},
    {title: 'b1', code: 'bravo', ownerId: 2, boardId: 1},
    {title: 'a2', code: 'charlie', ownerId: 1, boardId: 2},
    {title: 'b2', code: 'delta', ownerId: 2, boardId: 2},
  ]);
  await reg.getModel('Secret').create([{text: 's1', boardId: 1}, {text: 's2', boardId: 2}]);
  const server = app.listen(0);
  await new Promise(r => server.once('listening', r));
  const port = server.address().port;
  const out = [];
  for (const [caller, verb, path, body] of REQUESTS) {
    const res = await request(port, verb, path, tokens[caller], body);
    if (res.body && res.body.error) res.body = {error: {statusCode: res.body.error.statusCode, code: res.body.error.code, message: res.body.error.message}};
    out.push({caller, verb, path, body: body === undefined ? null : body, status: res.status, response: res.body});
  }
  server.close();
  process.stdout.write(JSON.stringify({lb3: require('loopback/package.json').version, models: MODELS, requests: out}, null, 1) + '\n');
}

main().catch(err => { console.error(err); process.exit(1); });
