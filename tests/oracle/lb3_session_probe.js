// Records LoopBack 3.28's answers for the User session methods (login, logout, change-password,
// reset-password, accessTokens, mass assignment) into tests/oracle/lb3-3.28/sessions.json.
//
//   mkdir -p /tmp/lb3 && cd /tmp/lb3 && npm install loopback@3 loopback-boot@3
//   NODE_PATH=/tmp/lb3/node_modules node tests/oracle/lb3_session_probe.js > tests/oracle/lb3-3.28/sessions.json
//
// The app: a memory data source, `Member` based on User, the auth models attached, app.enableAuth(),
// loopback.token(), loopback.rest() on /api, strong-error-handler without debug. Token ids and dates
// vary per run: the output keeps their shape (`<token>`, `<date>`), not their values.
'use strict';
const http = require('http');
const loopback = require('loopback');
const errorHandler = require('strong-error-handler');

function request(port, verb, path, {token, body, headers} = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? null : JSON.stringify(body);
    const h = Object.assign({'content-type': 'application/json'}, headers || {});
    if (token) h.authorization = token;
    const req = http.request({host: '127.0.0.1', port, method: verb, path, headers: h}, res => {
      let text = '';
      res.on('data', c => { text += c; });
      res.on('end', () => {
        let parsed = text;
        try { parsed = text ? JSON.parse(text) : null; } catch (e) { /* text */ }
        resolve({status: res.statusCode, body: parsed, location: res.headers.location});
      });
    });
    req.on('error', reject);
    if (data !== null) req.write(data);
    req.end();
  });
}

function shape(value) {
  if (Array.isArray(value)) return value.map(shape);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'id' && typeof v === 'string' && v.length === 64) out[k] = '<token>';
      else if (k === 'created' || k === 'stack') out[k] = '<' + k + '>';
      else out[k] = shape(v);
    }
    return out;
  }
  return value;
}

async function main() {
  const app = loopback({localRegistry: true, loadBuiltinModels: true});
  app.set('restApiRoot', '/api');
  app.dataSource('db', {connector: 'memory'});
  const reg = app.registry;
  for (const name of ['User', 'AccessToken', 'ACL', 'RoleMapping', 'Role']) {
    app.model(reg.getModel(name), {dataSource: 'db', public: false});
  }
  const Member = reg.createModel({name: 'Member', base: 'User', properties: {nick: 'string'}});
  app.model(Member, {dataSource: 'db', public: true});
  const AccessToken = reg.getModel('AccessToken');
  AccessToken.belongsTo(Member, {as: 'user', foreignKey: 'userId'});
  app.enableAuth();
  app.use(loopback.token({model: AccessToken}));
  app.use('/api', loopback.rest());
  app.use(errorHandler({debug: false, log: false}));
  const server = await new Promise(resolve => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = server.address().port;
  const out = [];
  async function record(name, verb, path, opts) {
    const res = await request(port, verb, path, opts);
    out.push({name, verb, path, body: opts && opts.body, status: res.status,
      response: shape(res.body)});
    return res;
  }

  await Member.create({email: 'a@example.com', password: 'secret', nick: 'a'});
  await Member.create({email: 'b@example.com', password: 'secret', username: 'bob'});
  const login = await record('login by email', 'POST', '/api/Members/login',
    {body: {email: 'a@example.com', password: 'secret'}});
  const tok = login.body.id;
  await record('login by username', 'POST', '/api/Members/login', {body: {username: 'bob', password: 'secret'}});
  await record('login include=user', 'POST', '/api/Members/login?include=user',
    {body: {email: 'a@example.com', password: 'secret'}});
  await record('login include=USER', 'POST', '/api/Members/login?include=USER',
    {body: {email: 'a@example.com', password: 'secret'}});
  await record('login wrong password', 'POST', '/api/Members/login', {body: {email: 'a@example.com', password: 'nope'}});
  await record('login unknown', 'POST', '/api/Members/login', {body: {email: 'x@example.com', password: 'secret'}});
  await record('login no body', 'POST', '/api/Members/login', {});
  await record('login empty', 'POST', '/api/Members/login', {body: {}});
  await record('login no password', 'POST', '/api/Members/login', {body: {email: 'a@example.com'}});
  await record('login array body', 'POST', '/api/Members/login', {body: [1]});
  await record('login email object', 'POST', '/api/Members/login', {body: {email: {neq: ''}, password: 'x'}});
  await record('login ttl 60', 'POST', '/api/Members/login', {body: {email: 'a@example.com', password: 'secret', ttl: 60}});

  await record('accessTokens of self', 'GET', '/api/Members/1/accessTokens', {token: tok});
  await record('accessTokens of other', 'GET', '/api/Members/2/accessTokens', {token: tok});
  await record('accessTokens anonymous', 'GET', '/api/Members/1/accessTokens', {});
  await record('findById self', 'GET', '/api/Members/1', {token: tok});

  await record('patch emailVerified', 'PATCH', '/api/Members/1', {token: tok, body: {emailVerified: true}});
  await record('patch verificationToken', 'PATCH', '/api/Members/1', {token: tok, body: {verificationToken: 'mine'}});
  const v = await Member.findById(1);
  out.push({name: 'stored after patches', stored: {emailVerified: v.emailVerified, verificationToken: v.verificationToken}});
  await record('patch realm', 'PATCH', '/api/Members/1', {token: tok, body: {realm: 'other'}});
  await record('patch id', 'PATCH', '/api/Members/1', {token: tok, body: {id: 2}});
  await record('patch password', 'PATCH', '/api/Members/1', {token: tok, body: {password: 'changed'}});
  const stillOld = await request(port, 'POST', '/api/Members/login', {body: {email: 'a@example.com', password: 'secret'}});
  out.push({name: 'old password after patch', status: stillOld.status});
  const relog = stillOld.status === 200 ? stillOld.body.id :
    (await request(port, 'POST', '/api/Members/login', {body: {email: 'a@example.com', password: 'changed'}})).body.id;
  await Member.setPassword(1, 'secret');
  const t2 = (await request(port, 'POST', '/api/Members/login', {body: {email: 'a@example.com', password: 'secret'}})).body.id;
  await record('create with emailVerified', 'POST', '/api/Members', {body: {email: 'c@example.com', password: 'x', emailVerified: true, verificationToken: 'chosen', realm: 'r1'}});
  const c = await Member.findOne({where: {email: 'c@example.com'}});
  out.push({name: 'stored after create', stored: {emailVerified: c.emailVerified, verificationToken: c.verificationToken, realm: c.realm}});

  await record('change-password anonymous', 'POST', '/api/Members/change-password', {body: {oldPassword: 'secret', newPassword: 'n'}});
  await record('change-password wrong old', 'POST', '/api/Members/change-password', {token: t2, body: {oldPassword: 'bad', newPassword: 'n'}});
  await record('change-password missing new', 'POST', '/api/Members/change-password', {token: t2, body: {oldPassword: 'secret'}});
  const t3 = (await request(port, 'POST', '/api/Members/login', {body: {email: 'a@example.com', password: 'secret'}})).body.id;
  await record('change-password ok', 'POST', '/api/Members/change-password', {token: t2, body: {oldPassword: 'secret', newPassword: 'n3w'}});
  await record('calling token after change', 'GET', '/api/Members/1', {token: t2});
  await record('other token after change', 'GET', '/api/Members/1', {token: t3});
  await record('reset-password anonymous', 'POST', '/api/Members/reset-password', {body: {newPassword: 'x'}});
  await record('reset-password ok', 'POST', '/api/Members/reset-password', {token: t2, body: {newPassword: 'r3set'}});
  await record('calling token after reset-password', 'GET', '/api/Members/1', {token: t2});
  const t4 = (await request(port, 'POST', '/api/Members/login', {body: {email: 'a@example.com', password: 'r3set'}})).body.id;
  await record('logout anonymous', 'POST', '/api/Members/logout', {});
  await record('logout', 'POST', '/api/Members/logout', {token: t4});
  await record('token after logout', 'GET', '/api/Members/1', {token: t4});
  await record('logout again', 'POST', '/api/Members/logout', {token: t4});
  void relog;
  server.close();
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
}

main().catch(err => { console.error(err); process.exit(1); });
