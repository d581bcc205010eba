// Records LoopBack 3.28's authorization decisions for tests/oracle/lb3-3.28/acl-truth-table.json.
//
// Run outside the repo's dependencies, against the real LB3 from npm:
//   mkdir -p /tmp/lb3 && cd /tmp/lb3 && npm install loopback@3 loopback-boot@3
//   NODE_PATH=/tmp/lb3/node_modules node tests/oracle/lb3_acl_oracle.js > tests/oracle/lb3-3.28/acl-truth-table.json
//
// It builds an app on the memory connector with app.enableAuth(), the models below (their JSON is
// written into the output, so the Python test loads the very same definitions), users, tokens, a
// static role, a custom role resolver and ACL table rows; then, for every shared method of every
// model, every principal and an own and another's row, it sends the REST request LB3 would route and
// records the status and body. A global before-remote hook answers 200 {"allowed": true} for every
// call that passes authorization, so no method runs. Principals a token cannot carry (an APP, a ROLE)
// are asked through ACL.checkAccessForContext directly.
'use strict';
const http = require('http');
const loopback = require('loopback');

const MODELS = [
  {
    name: 'Note', base: 'PersistedModel',
    properties: {title: 'string', ownerId: 'number'},
    relations: {
      owner: {type: 'belongsTo', model: 'User', foreignKey: 'ownerId'},
      comments: {type: 'hasMany', model: 'Comment', foreignKey: 'noteId'},
    },
    acls: [
      {principalType: 'ROLE', principalId: '$everyone', permission: 'DENY'},
      {principalType: 'ROLE', principalId: '$authenticated', permission: 'ALLOW', accessType: 'READ'},
      {principalType: 'ROLE', principalId: '$owner', permission: 'ALLOW', accessType: 'WRITE'},
      {principalType: 'ROLE', principalId: 'admin', permission: 'ALLOW'},
      {principalType: 'ROLE', principalId: '$everyone', permission: 'ALLOW', property: '__get__comments'},
    ],
  },
  {name: 'Comment', base: 'PersistedModel', properties: {text: 'string', noteId: 'number'}},
  {
    name: 'Memo', base: 'PersistedModel',
    properties: {text: 'string', userId: 'number'},
    acls: [
      {principalType: 'ROLE', principalId: '$everyone', permission: 'DENY'},
      {principalType: 'ROLE', principalId: '$owner', permission: 'ALLOW'},
      {principalType: 'ROLE', principalId: 'teamMember', permission: 'ALLOW', accessType: 'READ'},
    ],
  },
  {
    name: 'Product', base: 'PersistedModel',
    properties: {name: 'string', price: 'number'},
    methods: {
      report: {accepts: [], returns: {arg: 'data', type: 'object', root: true},
        http: {verb: 'get', path: '/report'}},
      'prototype.publish': {accessType: 'WRITE', accepts: [],
        http: {verb: 'post', path: '/publish'}},
      ping: {accepts: [], http: {verb: 'post', path: '/ping'}},
      stats: {accepts: [], http: [{verb: 'get', path: '/stats'}]},
    },
    acls: [
      {principalType: 'ROLE', principalId: '$everyone', permission: 'ALLOW', accessType: 'READ'},
      {principalType: 'ROLE', principalId: '$everyone', permission: 'DENY', accessType: 'WRITE'},
      {principalType: 'ROLE', principalId: '$authenticated', permission: 'ALLOW', property: 'create'},
      {principalType: 'ROLE', principalId: '$unauthenticated', permission: 'DENY', property: ['findById', 'count']},
      {principalType: 'ROLE', principalId: '$authenticated', permission: 'ALLOW', property: 'ping', accessType: 'EXECUTE'},
      {principalType: 'ROLE', principalId: 'admin', permission: 'ALLOW', property: 'publish'},
      {principalType: 'USER', principalId: '1', permission: 'DENY', property: 'deleteById'},
      {principalType: 'ROLE', principalId: '$everyone', permission: 'DENY', property: 'report', accessType: 'EXECUTE'},
      {principalType: 'ROLE', principalId: '$authenticated', permission: 'ALLOW', property: 'report', accessType: 'READ'},
      {principalType: 'ROLE', principalId: '$authenticated', permission: 'ALLOW', property: 'updateAttributes'},
      {principalType: 'ROLE', principalId: '$authenticated', permission: 'ALLOW', property: 'stats'},
    ],
  },
  {
    name: 'Clash', base: 'PersistedModel',
    properties: {label: 'string', userId: 'number'},
    acls: [
      {principalType: 'ROLE', principalId: '$everyone', permission: 'ALLOW', accessType: 'READ'},
      {principalType: 'ROLE', principalId: '$everyone', permission: 'DENY', accessType: 'READ'},
      {principalType: 'ROLE', principalId: '$authenticated', permission: 'ALLOW', property: 'find'},
      {principalType: 'USER', principalId: '2', permission: 'DENY', property: 'find'},
      {principalType: 'ROLE', principalId: '$owner', permission: 'ALLOW'},
      {principalType: 'ROLE', principalId: 'admin', permission: 'DENY'},
      {principalType: 'APP', principalId: 'app1', permission: 'ALLOW', property: 'count'},
      {principalType: 'ROLE', principalId: '$authenticated', permission: 'DEFAULT', property: 'exists'},
      {principalType: 'ROLE', principalId: '$everyone', permission: 'ALARM', property: 'findOne'},
    ],
  },
  {
    name: 'Vault', base: 'PersistedModel',
    properties: {secret: 'string'},
    options: {defaultPermission: 'DENY', aclErrorStatus: 403},
    acls: [
      {principalType: 'ROLE', principalId: '$authenticated', permission: 'ALLOW', property: 'find'},
      {principalType: 'ROLE', principalId: '$everyone', permission: 'DEFAULT', property: 'count'},
    ],
  },
  {
    name: 'Ledger', base: 'PersistedModel',
    properties: {amount: 'number'},
    options: {aclErrorStatus: 404},
  },
  {
    name: 'Account', base: 'User',
    properties: {nickname: 'string'},
    acls: [
      {principalType: 'ROLE', principalId: '$authenticated', permission: 'ALLOW', property: 'find'},
    ],
  },
  {
    name: 'Post', base: 'PersistedModel',
    properties: {body: 'string', authorId: 'number', editorId: 'number'},
    options: {ownerRelations: true},
    relations: {
      author: {type: 'belongsTo', model: 'User', foreignKey: 'authorId'},
      editor: {type: 'belongsTo', model: 'User', foreignKey: 'editorId'},
    },
    acls: [
      {principalType: 'ROLE', principalId: '$everyone', permission: 'DENY'},
      {principalType: 'ROLE', principalId: '$owner', permission: 'ALLOW'},
    ],
  },
  {name: 'Open', base: 'PersistedModel', properties: {note: 'string'}},
];

const USERS = [
  {name: 'alice', id: 1}, {name: 'bob', id: 2}, {name: 'admin', id: 3}, {name: 'carol', id: 4},
];
const ROWS = {
  Note: [{id: 1, title: 'a', ownerId: 1}, {id: 2, title: 'b', ownerId: 2}],
  Comment: [{id: 1, text: 'c', noteId: 1}, {id: 2, text: 'd', noteId: 2}],
  Memo: [{id: 1, text: 'm', userId: 1}, {id: 2, text: 'n', userId: 2}],
  Product: [{id: 1, name: 'p', price: 1}, {id: 2, name: 'q', price: 2}],
  Clash: [{id: 1, label: 'x', userId: 1}, {id: 2, label: 'y', userId: 2}],
  Vault: [{id: 1, secret: 's'}, {id: 2, secret: 't'}],
  Ledger: [{id: 1, amount: 1}, {id: 2, amount: 2}],
  Account: [
    {id: 1, email: 'a@x.io', password: 'pw'}, {id: 2, email: 'b@x.io', password: 'pw'},
  ],
  Post: [{id: 1, body: 'p', authorId: 1, editorId: 2}, {id: 2, body: 'q', authorId: 2, editorId: 3}],
  Open: [{id: 1, note: 'o'}, {id: 2, note: 'p'}],
};
const ACL_TABLE = [
  {model: 'Ledger', property: '*', accessType: '*', principalType: 'ROLE', principalId: '$everyone', permission: 'DENY'},
  {model: 'Ledger', property: 'find', accessType: 'READ', principalType: 'ROLE', principalId: '$authenticated', permission: 'ALLOW'},
  {model: '*', property: 'count', accessType: '*', principalType: 'USER', principalId: '1', permission: 'ALLOW'},
  {model: 'Ledger', property: 'findById', accessType: 'EXECUTE', principalType: 'ROLE', principalId: '$authenticated', permission: 'ALLOW'},
  {model: 'Ledger', property: 'destroyById', accessType: 'WRITE', principalType: 'ROLE', principalId: 'admin', permission: 'ALLOW'},
  {model: 'Ledger', property: 'updateAttributes', accessType: '*', principalType: 'ROLE', principalId: 'teamMember', permission: 'ALLOW'},
];
const TEAM_MEMBER = 4; // the custom `teamMember` resolver: the user with this id

function request(port, verb, path, token) {
  return new Promise((resolve, reject) => {
    const headers = {'Content-Type': 'application/json'};
    if (token) headers.Authorization = token;
    const body = ['POST', 'PUT', 'PATCH'].includes(verb) ? '{}' : undefined;
    const req = http.request({host: '127.0.0.1', port, method: verb, path, headers}, res => {
      let data = '';
      res.on('data', c => { data += c; });
      res.on('end', () => resolve({status: res.statusCode, body: data ? JSON.parse(data) : null}));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

function routeOf(m) {
  const routes = Array.isArray(m.http) ? m.http : [m.http || {}];
  const r = routes[0] || {};
  let verb = (r.verb || 'post').toUpperCase();
  if (verb === 'DEL') verb = 'DELETE';
  if (verb === 'ALL') verb = 'POST';
  return {verb, path: r.path || '/'};
}

// an instance method, or a static one routed by the id in its path (findById, deleteById, ...)
function hasId(m) {
  return !m.isStatic || routeOf(m).path.includes(':id');
}

async function main() {
  const app = loopback({localRegistry: true, loadBuiltinModels: true});
  app.set('restApiRoot', '/api');
  app.dataSource('db', {connector: 'memory'});
  const reg = app.registry;
  for (const name of ['User', 'AccessToken', 'ACL', 'RoleMapping', 'Role']) {
    app.model(reg.getModel(name), {dataSource: 'db', public: name === 'User'});
  }
  for (const def of MODELS) {
    app.model(reg.createModel(JSON.parse(JSON.stringify(def))), {dataSource: 'db', public: true});
  }
  app.enableAuth();
  const User = reg.getModel('User');
  const Role = reg.getModel('Role');
  const RoleMapping = reg.getModel('RoleMapping');
  const ACL = reg.getModel('ACL');
  Role.registerResolver('teamMember', (role, ctx, cb) => {
    process.nextTick(() => cb(null, String(ctx.getUserId()) === String(TEAM_MEMBER)));
  });

  const tokens = {anonymous: null};
  for (const u of USERS) {
    const user = await User.create({email: `${u.name}@example.com`, password: 'secret'});
    if (user.id !== u.id) throw new Error(`user ${u.name} got id ${user.id}`);
    tokens[u.name] = (await user.createAccessToken(3600)).id;
  }
  const admin = await Role.create({name: 'admin'});
  await Role.create({name: 'auditor'});
  const mappings = [{principalType: 'USER', principalId: '3', roleId: admin.id}];
  for (const m of mappings) await RoleMapping.create(m);
  for (const row of ACL_TABLE) await ACL.create(row);
  for (const [model, rows] of Object.entries(ROWS)) {
    for (const row of rows) {
      const Model = reg.getModel(model);
      const data = Object.assign({}, row);
      if (Model.settings.forceId) delete data.id; // created in order: the ids come out the same
      const made = await Model.create(data);
      if (made.id !== row.id) throw new Error(`${model} row got id ${made.id}`);
    }
  }

  app.remotes().before('**', (ctx, next) => {
    ctx.res.status(200).json({allowed: true});
  });
  app.use('/api', loopback.rest());
  const server = await new Promise(resolve => {
    const s = app.listen(4181, '127.0.0.1', () => resolve(s));
  });
  const port = server.address().port;

  const cases = [];
  const methods = [];
  for (const def of MODELS) {
    const Model = reg.getModel(def.name);
    for (const m of Model.sharedClass.methods()) {
      if (!m.shared) continue;
      const method = (m.isStatic ? '' : 'prototype.') + m.name;
      const accessType = Model._getAccessTypeForMethod(m);
      methods.push({model: def.name, method, name: m.name, aliases: m.aliases,
        accessType, scopes: m.accessScopes || null});
      if (m.name === 'createChangeStream') continue; // a stream: answers after the hook, not a decision
      const {verb, path} = routeOf(m);
      for (const id of hasId(m) ? [1, 2] : [null]) {
        for (const principal of Object.keys(tokens)) {
          const sub = path.replace(':id', id).replace(':fk', 1).replace(':nk', 1);
          const url = '/api/' + Model.pluralModelName + (m.isStatic ? '' : '/' + id) +
            (sub === '/' ? '' : sub);
          const res = await request(port, verb, url, tokens[principal]);
          const allowed = res.status === 200 && res.body && res.body.allowed === true;
          cases.push({model: def.name, method, principal, modelId: id, verb, url,
            status: res.status, allowed, error: allowed ? null : res.body && res.body.error});
        }
      }
    }
  }

  // principals a token cannot carry: an application, a role held directly
  const direct = [];
  const others = [
    {name: 'app1', principals: [{type: 'APP', id: 'app1'}]},
    {name: 'app1+alice', principals: [{type: 'APP', id: 'app1'}, {type: 'USER', id: 1}]},
    {name: 'role:admin', principals: [{type: 'ROLE', id: 'admin'}]},
  ];
  for (const def of MODELS) {
    const Model = reg.getModel(def.name);
    for (const m of Model.sharedClass.methods()) {
      if (!m.shared) continue;
      const method = (m.isStatic ? '' : 'prototype.') + m.name;
      for (const id of hasId(m) ? [1, 2] : [null]) {
        for (const o of others) {
          const res = await ACL.checkAccessForContext({
            principals: o.principals, model: Model, property: m.name, method: m.name,
            sharedMethod: m, modelId: id == null ? undefined : id,
            accessType: Model._getAccessTypeForMethod(m),
          });
          direct.push({model: def.name, method, principal: o.name, principals: o.principals,
            modelId: id, permission: res.permission, allowed: res.isAllowed()});
        }
      }
    }
  }
  server.close();
  const out = {
    lb3: require('loopback/package.json').version,
    models: MODELS, users: USERS, rows: ROWS, aclTable: ACL_TABLE,
    roles: (await Role.find()).map(r => ({id: r.id, name: r.name})),
    roleMappings: (await RoleMapping.find()).map(r => ({
      roleId: r.roleId, principalType: r.principalType, principalId: r.principalId})),
    teamMember: TEAM_MEMBER,
    methods, cases, direct,
  };
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
}

main().catch(err => { console.error(err); process.exit(1); });
