// What LB3 3.28 sub-models inherit from a base model (JSON methods, JS module, hooks).
// npm install loopback@3 loopback-boot@3; NODE_PATH=.../node_modules node probe.js > ../inheritance.json
global.LOG = [];
const loopback = require('loopback');
const boot = require('loopback-boot');
const app = loopback();
boot(app, __dirname + '/server', async function(err) {
  if (err) throw err;
  app.use('/api', loopback.rest());
  app.use(require('strong-error-handler')({debug: false, log: false}));
  const server = app.listen(20202, '127.0.0.1', async () => {
    const cases = [
      ['GET', '/Dogs/speak'], ['GET', '/Dogs/bark'], ['GET', '/Dogs/late'], ['GET', '/Dogs/jsOnly'],
      ['GET', '/Animals/speak'],
      ['POST', '/Dogs', {name: 'Rex'}], ['POST', '/Dogs', {name: 'R'}], ['GET', '/Dogs/1/describe'], ['GET', '/Dogs'],
      ['GET', '/Cats/speak'], ['GET', '/Cats/late'], ['POST', '/Cats', {name: 'Tom'}],
      ['GET', '/Parrots/sing'], ['POST', '/Parrots', {name: 'Polly'}],
    ];
    const out = {
      routes: app.models().map(m => [m.modelName, m.sharedClass.methods().map(x => (x.isStatic ? '' : 'prototype.') + x.name).filter(n => !/^(find|create|count|exists|upsert|replace|patch|update|destroy|delete|prototype\.__|prototype\.patch|prototype\.replace|createChangeStream|upsertWithWhere|replaceOrCreate|replaceById|findById|findOne|deleteById|updateAll|patchOrCreate|prototype\.updateAttributes|prototype\.delete|prototype\.destroy)/.test(n))]),
      requests: []};
    for (const [method, path, body] of cases) {
      LOG.length = 0;
      const res = await fetch('http://127.0.0.1:20202/api' + path, {method, headers: {'content-type': 'application/json'}, body: body && JSON.stringify(body)});
      const text = await res.text();
      out.requests.push({method, path, body, status: res.status, response: text ? JSON.parse(text) : null, log: LOG.slice()});
    }
    console.log(JSON.stringify(out, null, 1));
    server.close();
  });
});
