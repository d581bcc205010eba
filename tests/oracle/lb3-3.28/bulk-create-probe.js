// LB3 3.28's answers to a bulk create (POST /Model with an array) where some items are invalid.
// npm install loopback@3 loopback-connector-postgresql; then
//   node bulk-create-probe.js memory > memory.json
//   node bulk-create-probe.js postgresql > postgresql.json   (database i11rest_lb3), then
//   combine them as {"memory": ..., "postgresql": ...} into bulk-create.json
const loopback = require('loopback');
const connector = process.argv[2] || 'memory';
const app = loopback();
app.set('legacyExplorer', false);
const ds = connector === 'memory' ? {connector: 'memory'} :
  {connector: 'postgresql', url: 'postgresql://postgres@127.0.0.1:5432/i11rest_lb3'};
app.dataSource('db', ds);
const log = [];
function model(name, props, settings, setup) {
  const M = app.registry.createModel(Object.assign({name, base: 'PersistedModel', properties: props}, settings || {}));
  app.model(M, {dataSource: 'db', public: true});
  if (setup) setup(M);
  return M;
}
// Product as in validation-probe.js; Hooked records its hooks
model('Product', {name: {type: 'string', required: true}, sku: 'string', price: {type: 'number', required: true}, stock: 'number'}, {}, P => {
  P.validatesLengthOf('name', {min: 3, max: 10});
  P.validatesFormatOf('sku', {with: /^[A-Z]{3}-\d{3}$/, allowNull: true, allowBlank: true});
  P.validatesNumericalityOf('stock', {int: true, allowNull: true, allowBlank: true});
  P.validatesUniquenessOf('sku');
});
model('Hooked', {name: {type: 'string', required: true}}, {}, H => {
  H.validatesLengthOf('name', {min: 3});
  for (const hook of ['before save', 'persist', 'after save'])
    H.observe(hook, (ctx, next) => { log.push(hook + ' ' + (ctx.instance || ctx.data).name); next(); });
});
app.use('/api', loopback.rest());
app.use(require('strong-error-handler')({debug: false, log: false}));

const cases = [
  ['POST', '/Products', [{name: 'Okay', price: 1}, {name: 'x', price: 1}, {price: 2}]],
  ['POST', '/Products', [{name: 'x', price: 1}, {name: 'Good1', price: 1}, {name: 'Good2', price: 1}]],
  ['POST', '/Products', [{name: 'x', price: 1}]],
  ['POST', '/Products', [{name: 'Valid1', sku: 'VAL-001', price: 1}, {name: 'Valid2', price: 2}]],
  ['POST', '/Products', [{name: 'Taken', sku: 'VAL-001', price: 1}, {name: 'Fresh', sku: 'NEW-001', price: 1}]],
  ['POST', '/Products', [{name: 'Dup1', sku: 'DUP-001', price: 1}, {name: 'Dup2', sku: 'DUP-001', price: 1}]],
  ['POST', '/Products', ['text', {name: 'Obj1', price: 1}]],
  ['POST', '/Products', [{id: 1, name: 'IdTaken', price: 1}, {name: 'AfterId', price: 1}]],
  ['POST', '/Products', []],
  ['GET', '/Products'],
  ['POST', '/Hookeds', [{name: 'aaa'}, {name: 'b'}, {name: 'ccc'}]],
  ['GET', '/Hookeds'],
];

const server = app.listen(20201, '127.0.0.1', async () => {
  if (connector !== 'memory') await new Promise((r, j) => app.dataSources.db.automigrate(e => e ? j(e) : r()));
  const out = {connector, requests: []};
  for (const [method, path, body] of cases) {
    log.length = 0;
    const res = await fetch('http://127.0.0.1:20201/api' + path, {method, headers: {'content-type': 'application/json'}, body: body === undefined ? undefined : JSON.stringify(body)});
    const text = await res.text();
    const entry = {method, path, body, status: res.status, response: text ? JSON.parse(text) : null};
    if (log.length) entry.hooks = log.slice();
    out.requests.push(entry);
  }
  console.log(JSON.stringify(out, null, 1));
  server.close();
  app.dataSources.db.disconnect && app.dataSources.db.disconnect();
});
