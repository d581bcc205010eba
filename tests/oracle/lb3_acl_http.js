// Records LoopBack 3.28's answers for the app of tests/auth/acl_app.py (tests/auth/test_acl_http.py
// compares ours with them), into tests/oracle/lb3-3.28/acl-http.json.
//
//   mkdir -p /tmp/lb3 && cd /tmp/lb3 && npm install loopback@3 loopback-boot@3 strong-error-handler@3
//   NODE_PATH=/tmp/lb3/node_modules node tests/oracle/lb3_acl_http.js > tests/oracle/lb3-3.28/acl-http.json
//
// The same models (their JSON is read from the cases file's `models`), users a, b, c and admin (ids
// 1-4, admin through a Role/RoleMapping), their tokens, two Notes, a Memo, the `teamMember`
// resolver, app.enableAuth(), strong-error-handler in production mode; then every request of
// tests/oracle/lb3-3.28/acl-http-cases.json in order, with its status and body.
'use strict';
const fs = require('fs');
const path = require('path');
const http = require('http');
const loopback = require('loopback');
const errorHandler = require('strong-error-handler');

const spec = JSON.parse(fs.readFileSync(path.join(__dirname, 'lb3-3.28', 'acl-http-cases.json')));

function request(port, verb, url, headers, body) {
  return new Promise((resolve, reject) => {
    const all = Object.assign({'Content-Type': 'application/json'}, headers || {});
    const req = http.request({host: '127.0.0.1', port, method: verb, path: url, headers: all}, res => {
      let data = '';
      res.on('data', c => { data += c; });
      res.on('end', () => resolve({status: res.statusCode, body: data ? JSON.parse(data) : null}));
    });
    req.on('error', reject);
    if (body !== null && body !== undefined) req.write(JSON.stringify(body));
    req.end();
  });
}

async function main() {
  const app = loopback({localRegistry: true, loadBuiltinModels: true});
  app.set('restApiRoot', '/api');
  app.dataSource('db', {connector: 'memory'});
  const reg = app.registry;
  const Member = reg.createModel(spec.models.Member);
  app.model(Member, {dataSource: 'db', public: true});
  const AccessToken = reg.getModel('AccessToken');
  app.model(AccessToken, {dataSource: 'db', public: false});
  AccessToken.belongsTo(Member, {as: 'user', foreignKey: 'userId'});
  for (const [name, pub] of [['ACL', false], ['Role', false], ['RoleMapping', true]]) {
    app.model(reg.getModel(name), {dataSource: 'db', public: pub});
  }
  for (const name of ['Note', 'Memo', 'Open']) {
    app.model(reg.createModel(JSON.parse(JSON.stringify(spec.models[name]))),
      {dataSource: 'db', public: true});
  }
  const Open = reg.getModel('Open');
  const Note = reg.getModel('Note');
  Open.whoami = async function(options) {
    const token = options && options.accessToken;
    return {userId: token ? token.userId : null, tokenId: token ? token.id : null};
  };
  Open.mayDeleteNote = function(id, options, cb) {
    Note.checkAccess(options.accessToken, id, Note.sharedClass.findMethodByName('deleteById'),
      null, cb);
  };
  const Role = reg.getModel('Role');
  Role.registerResolver('teamMember', (role, ctx, cb) => {
    process.nextTick(() => cb(null, String(ctx.getUserId()) === '2'));
  });
  app.enableAuth();

  const system = {};
  for (const [name, token] of Object.entries(spec.tokens)) {
    await Member.create({email: `${name}@example.com`, password: 'secret-1'});
    const scopes = undefined;
    await AccessToken.create({id: token, userId: spec.userIds[name], ttl: 1209600, scopes});
  }
  await AccessToken.create({id: spec.scopedToken, userId: 1, ttl: 1209600, scopes: ['reset-password']});
  await AccessToken.create({id: spec.expiredToken, userId: 1, ttl: 1, created: new Date(Date.now() - 30000)});
  const admin = await Role.create({name: 'admin'});
  await reg.getModel('RoleMapping').create({roleId: admin.id, principalType: 'USER', principalId: '4'});
  await Note.create({title: 'one', ownerId: 1});
  await Note.create({title: 'two', ownerId: 2});
  await reg.getModel('Memo').create({text: 'm'});

  app.use('/api', loopback.rest());
  app.use(errorHandler({debug: false, log: false}));
  const server = await new Promise(resolve => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = server.address().port;
  const answers = [];
  for (const c of spec.cases) {
    const res = await request(port, c.verb, '/api' + c.path, c.headers, c.body);
    answers.push(Object.assign({}, c, {status: res.status, response: res.body}));
  }
  server.close();
  process.stdout.write(JSON.stringify({lb3: require('loopback/package.json').version, answers}, null, 1) + '\n');
}

main().catch(err => { console.error(err); process.exit(1); });
