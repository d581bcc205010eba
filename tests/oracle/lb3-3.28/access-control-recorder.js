// Records LoopBack 3.28's answers to the REST API of specs/access-control (the access-control
// tutorial app), for tests/oracle/lb3-3.28/access-control.json.
//
// Run outside the repo's dependencies, against the real LB3 from npm:
//   mkdir -p /tmp/lb3 && cd /tmp/lb3 && npm init -y && npm install loopback@3 loopback-boot@3
//   NODE_PATH=/tmp/lb3/node_modules node tests/oracle/lb3-3.28/access-control-recorder.js \
//     > tests/oracle/lb3-3.28/access-control.json
//
// It loads the app's own model JSON (specs/access-control/models, model-config.json) into LB3 on the
// memory connector with app.enableAuth(), creates the sample data of specs/access-control/boot
// (same users, rows and ids), registers the same `teamMember` resolver and implements the project's
// remote methods as specs/access-control/models/project.py does. Every user logs in over REST. Then,
// for every shared method of every public model (first route), every principal (anonymous, John,
// Jane, Bob the admin) and rows 1 and 2, it sends the request and records status and body. A write
// that succeeded (2xx, not GET) may have changed the data: the data and the tokens are then made
// again (`reset: true`), so every call sees the same start.
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');
const loopback = require('loopback');

const APP = path.resolve(__dirname, '../../../specs/access-control');
const BUILTIN = ['User', 'AccessToken', 'ACL', 'RoleMapping', 'Role', 'Email'];
const PASSWORD = 'opensesame';
const USERS = [
  {username: 'John', email: 'john@doe.com'},
  {username: 'Jane', email: 'jane@doe.com'},
  {username: 'Bob', email: 'bob@projects.com'},
];
const OWNS = {John: 1, Jane: 2, Bob: 3}; // each user's id; rows 1 and 2 are John's and Jane's

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function send(port, verb, url, token, body) {
  return new Promise((resolve, reject) => {
    const headers = {'Content-Type': 'application/json', Accept: 'application/json'};
    if (token) headers.Authorization = token;
    const req = http.request({host: '127.0.0.1', port, method: verb, path: url, headers}, res => {
      let data = '';
      res.on('data', c => { data += c; });
      res.on('end', () => {
        let parsed = null;
        try { parsed = data ? JSON.parse(data) : null; } catch (e) { parsed = data; }
        resolve({status: res.statusCode, body: parsed});
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(JSON.stringify(body));
    req.end();
  });
}

function projectMethods(Project) {
  const found = async id => {
    const project = await Project.findById(id);
    if (!project) {
      const err = new Error(`Unknown "project" id "${id}".`);
      err.statusCode = 404;
      err.code = 'MODEL_NOT_FOUND';
      throw err;
    }
    return project;
  };
  Project.listProjects = async () => Project.find({fields: {balance: false}});
  Project.donate = async (id, amount) => {
    const project = await found(id);
    await project.patchAttributes({balance: (project.balance || 0) + (amount || 0)});
    return true;
  };
  Project.withdraw = async (id, amount) => {
    const project = await found(id);
    const balance = project.balance || 0;
    amount = amount || 0;
    await project.patchAttributes({balance: balance >= amount ? balance - amount : 0});
    return true;
  };
}

async function seed(app) {
  const m = app.models;
  const [john, jane, bob] = await m.user.create(USERS.map(u => Object.assign({password: PASSWORD}, u)));
  const project1 = await john.projects.create({name: 'project1', balance: 100});
  const project2 = await jane.projects.create({name: 'project2', balance: 100});
  await m.team.create([
    {ownerId: String(project1.ownerId), memberId: String(john.id)},
    {ownerId: String(project1.ownerId), memberId: String(jane.id)},
  ]);
  await m.team.create({ownerId: String(project2.ownerId), memberId: String(jane.id)});
  const admin = await m.Role.create({name: 'admin'});
  await admin.principals.create({principalType: 'USER', principalId: String(bob.id)});
  const banks = await m.bank.create([{name: 'Bank of LoopBack'}, {name: 'Faux Bank'}]);
  for (const [owner, bank] of [[john, banks[0]], [jane, banks[1]]]) {
    const account = await m.account.create({balance: 100, userId: owner.id, bankId: bank.id});
    await m.transaction.create([
      {pos: 'Deposit into Checking', credit: 150, time: '2026-01-05T10:00:00.000Z',
        accountId: account.id, userId: owner.id},
      {pos: 'Faux Mart', debit: 50, time: '2026-01-06T10:00:00.000Z',
        accountId: account.id, userId: owner.id},
    ]);
  }
  if (john.id !== 1 || jane.id !== 2 || bob.id !== 3 || project1.id !== 1) {
    throw new Error('the sample data did not get the ids the Python boot script gives');
  }
}

function routeOf(m) {
  const routes = Array.isArray(m.http) ? m.http : [m.http || {}];
  const r = routes[0] || {};
  let verb = (r.verb || 'post').toUpperCase();
  if (verb === 'DEL') verb = 'DELETE';
  if (verb === 'ALL') verb = 'POST';
  return {verb, path: r.path || '/'};
}

const BODY_ID = ['donate', 'withdraw']; // static methods that name the row in the body

function hasId(m) {
  return !m.isStatic || routeOf(m).path.includes(':id') || BODY_ID.includes(m.name);
}

// the request body: donate and withdraw name the row; other writes send an empty object
function bodyFor(name, id, verb) {
  if (BODY_ID.includes(name)) return {id, amount: 10};
  return ['POST', 'PUT', 'PATCH'].includes(verb) ? {} : undefined;
}

async function main() {
  const app = loopback(); // the global registry, as loopback-boot gives the tutorial
  app.set('restApiRoot', '/api');
  app.set('legacyExplorer', false);
  const sources = readJson(path.join(APP, 'datasources.json'));
  for (const [name, settings] of Object.entries(sources)) app.dataSource(name, settings);
  const ds = app.dataSources.db;
  // LB3's verify throws (and the process dies) when no Email model is attached: a mail data source
  // without transports makes it log and answer instead, the answer we record
  app.dataSource('mail', {connector: 'mail'});
  app.model(app.registry.getModel('Email'), {dataSource: 'mail', public: false});
  const config = readJson(path.join(APP, 'model-config.json'));
  const reg = app.registry;
  const names = Object.keys(config).filter(n => n !== '_meta');
  for (const name of names) {
    const file = path.join(APP, 'models', `${name}.json`);
    const Model = fs.existsSync(file) ? reg.createModel(readJson(file)) : reg.getModel(name);
    app.model(Model, {dataSource: config[name].dataSource, public: config[name].public});
  }
  projectMethods(app.models.project);
  app.enableAuth();
  app.models.Role.registerResolver('teamMember', (role, context, cb) => {
    const reject = () => process.nextTick(() => cb(null, false));
    if (context.modelName !== 'project') return reject();
    const userId = context.accessToken.userId;
    if (!userId) return reject();
    context.model.findById(context.modelId, (err, project) => {
      if (err || !project) return reject();
      app.models.team.count({ownerId: String(project.ownerId), memberId: String(userId)},
        (err, count) => cb(null, !err && count > 0));
    });
  });
  app.use(loopback.token());
  app.use('/api', loopback.rest());
  const server = await new Promise(resolve => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = server.address().port;

  const tokens = {anonymous: null};
  const logins = [];
  async function reset() {
    await new Promise((resolve, reject) => ds.automigrate(err => (err ? reject(err) : resolve())));
    await seed(app);
    for (const u of USERS) {
      const res = await send(port, 'POST', '/api/users/login', null,
        {username: u.username, password: PASSWORD});
      if (res.status !== 200) throw new Error(`login ${u.username}: ${JSON.stringify(res)}`);
      tokens[u.username] = res.body.id;
      if (logins.length < USERS.length) {
        logins.push({username: u.username, status: res.status, keys: Object.keys(res.body).sort(),
          userId: res.body.userId, ttl: res.body.ttl});
      }
    }
  }
  await reset();

  const cases = [];
  for (const name of names.filter(n => config[n].public && !BUILTIN.includes(n))) {
    const Model = app.models[name];
    for (const m of Model.sharedClass.methods()) {
      if (!m.shared || m.name === 'createChangeStream') continue; // a stream, not an answer
      const method = (m.isStatic ? '' : 'prototype.') + m.name;
      const {verb, path: sub} = routeOf(m);
      for (const id of hasId(m) ? [1, 2] : [null]) {
        let fk = 1;
        const relation = /^__\w+__(\w+)$/.exec(m.name);
        if (relation && id != null && Model.relations[relation[1]]) {
          const rel = Model.relations[relation[1]];
          if (rel.multiple) {
            const children = await rel.modelTo.find({where: {[rel.keyTo]: id}, order: 'id ASC'});
            if (children.length) fk = typeof children[0].id === 'number' ? children[0].id : 'x';
          }
        }
        for (const principal of Object.keys(tokens)) {
          const tail = sub.replace(':id', id).replace(':fk', fk).replace(':nk', 1);
          const url = '/api/' + Model.pluralModelName + (m.isStatic ? '' : '/' + id) +
            (tail === '/' ? '' : tail);
          const body = bodyFor(m.name, id, verb);
          const res = await send(port, verb, url, tokens[principal], body);
          const changed = verb !== 'GET' && verb !== 'HEAD' && res.status < 300;
          cases.push({model: name, method, accessType: Model._getAccessTypeForMethod(m),
            principal, modelId: id, own: id != null && OWNS[principal] === id,
            verb, url, body: body === undefined ? null : body,
            status: res.status, response: res.body, reset: changed});
          if (changed) await reset();
        }
      }
    }
  }
  server.close();
  const head = {
    lb3: require('loopback/package.json').version,
    app: 'specs/access-control',
    principals: Object.keys(tokens),
    owns: OWNS,
    logins,
  };
  const lines = JSON.stringify(head, null, 1).replace(/\n}$/, ',\n "cases": [\n');
  process.stdout.write(lines + cases.map(c => '  ' + JSON.stringify(c)).join(',\n') + '\n ]\n}\n');
}

main().catch(err => { console.error(err); process.exit(1); });
