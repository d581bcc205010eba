// Probe LB3 3.28 validation answers: node validation-probe.js > validation.json
const loopback = require('loopback');
const app = loopback();
app.set('legacyExplorer', false);
app.dataSource('db', {connector: 'memory'});

function model(name, props, settings, setup) {
  const M = app.registry.createModel(Object.assign({name, base: 'PersistedModel', properties: props}, settings || {}));
  app.model(M, {dataSource: 'db', public: true});
  if (setup) setup(M);
  return M;
}

model('Product', {name: {type: 'string', required: true}, sku: 'string', price: {type: 'number', required: true}, stock: 'number'}, {}, P => {
  P.validatesLengthOf('name', {min: 3, max: 10});
  P.validatesFormatOf('sku', {with: /^[A-Z]{3}-\d{3}$/, allowNull: true, allowBlank: true});
  P.validatesNumericalityOf('stock', {int: true, allowNull: true, allowBlank: true});
  P.validatesUniquenessOf('sku');
});
model('Member', {name: 'string', email: 'string', password: 'string', gender: 'string', domain: 'string', age: 'number', state: 'string', nick: 'string', reserved: 'string', kind: 'string', vip: 'boolean', code: 'string', org: 'string'}, {}, M => {
  M.validatesPresenceOf('name', 'email');
  M.validatesLengthOf('password', {min: 5, message: {min: 'Password is too short'}});
  M.validatesLengthOf('state', {is: 2, allowBlank: true});
  M.validatesLengthOf('nick', {max: 4, message: 'bad nick', allowBlank: true});
  M.validatesInclusionOf('gender', {in: ['male', 'female'], allowBlank: true});
  M.validatesExclusionOf('domain', {in: ['www', 'billing', 'admin'], allowBlank: true});
  M.validatesNumericalityOf('age', {int: true, allowBlank: true});
  M.validatesAbsenceOf('reserved');
  M.validatesFormatOf('kind', {with: /^[a-z]+$/, message: 'must be lowercase', if: 'vip'});
  M.validatesUniquenessOf('email', {message: 'email is not unique'});
  M.validatesUniquenessOf('code', {scopedTo: ['org'], ignoreCase: true});
  M.validate('name', function(err) { if (this.name === 'bad') err(); }, {message: 'Bad name'});
  M.validateAsync('email', function(err, done) { setTimeout(() => { if (this.email === 'x@spam.com') err(); done(); }, 1); }, {message: 'is spam'});
});
model('Strict', {name: 'string'}, {strict: true});
model('Loose', {name: 'string'}, {strict: false});
model('Filtered', {name: 'string'}, {strict: 'filter'});
model('Lenient', {name: {type: 'string', required: true}}, {validateUpsert: false}, L => L.validatesLengthOf('name', {min: 3}));
model('Checked', {name: {type: 'string', required: true}}, {validateUpsert: true}, L => L.validatesLengthOf('name', {min: 3}));
model('Plain', {name: {type: 'string', required: true}}, {}, L => L.validatesLengthOf('name', {min: 3}));

app.use('/api', loopback.rest());
app.use(require('strong-error-handler')({debug: false, log: false}));

const cases = [
  ['Product', 'POST', '/Products', {price: 1}],
  ['Product', 'POST', '/Products', {name: '', price: 1}],
  ['Product', 'POST', '/Products', {name: null, price: 1}],
  ['Product', 'POST', '/Products', {name: 'ab', sku: 'bad', price: 1, stock: 1.5}],
  ['Product', 'POST', '/Products', {name: 'abcdefghijkl', price: 1}],
  ['Product', 'POST', '/Products', {name: 'Widget', sku: 'ABC-123', price: 1, stock: 3}],
  ['Product', 'POST', '/Products', {name: 'Widget2', sku: 'ABC-123', price: 2}],
  ['Product', 'POST', '/Products', [{name: 'Okay', price: 1}, {name: 'x', price: 1}, {price: 2}]],
  ['Product', 'PATCH', '/Products/1', {name: 'x'}],
  ['Product', 'PUT', '/Products/1', {price: 5}],
  ['Product', 'PATCH', '/Products/1', {sku: 'ABC-123'}],
  ['Product', 'POST', '/Products/update?where=%7B%7D', {name: 'x'}],
  ['Member', 'POST', '/Members', {}],
  ['Member', 'POST', '/Members', {name: 'bad', email: 'a@b.c', password: 'abc', gender: 'other', domain: 'www', age: 3.5, state: 'CAL', nick: 'toolong', reserved: 'x', kind: 'ABC', vip: true}],
  ['Member', 'POST', '/Members', {name: 'n', email: 'a@b.c', password: 'abcdef', kind: 'ABC', vip: false, code: 'Q1', org: 'o1'}],
  ['Member', 'POST', '/Members', {name: 'n', email: 'a@b.c', password: 'abcdef'}],
  ['Member', 'POST', '/Members', {name: 'n', email: 'b@b.c', password: 'abcdef', code: 'q1', org: 'o1'}],
  ['Member', 'POST', '/Members', {name: 'n', email: 'c@b.c', password: 'abcdef', code: 'q1', org: 'o2'}],
  ['Member', 'POST', '/Members', {name: 'n', email: 'x@spam.com', password: 'abcdef'}],
  ['Member', 'POST', '/Members', {name: 'n', email: 'd@b.c', password: 'abcdef', age: 'abc'}],
  ['Member', 'POST', '/Members', {name: 'n', email: 'e@b.c', password: 'abcdef', gender: null, age: null}],
  ['Strict', 'POST', '/Stricts', {name: 'a', extra: 1}],
  ['Loose', 'POST', '/Looses', {name: 'a', extra: 1}],
  ['Filtered', 'POST', '/Filtereds', {name: 'a', extra: 1}],
  ['Lenient', 'PATCH', '/Lenients', {name: 'ab'}],
  ['Lenient', 'PUT', '/Lenients', {name: 'ab'}],
  ['Checked', 'PATCH', '/Checkeds', {name: 'ab'}],
  ['Plain', 'PATCH', '/Plains', {name: 'ab'}],
  ['Plain', 'PUT', '/Plains', {name: 'ab'}],
  ['Lenient', 'POST', '/Lenients', {name: 'abcd'}],
  ['Lenient', 'PATCH', '/Lenients', {id: 1, name: 'ab'}],
  ['Checked', 'POST', '/Checkeds', {name: 'abcd'}],
  ['Checked', 'PATCH', '/Checkeds', {id: 1, name: 'ab'}],
  ['Plain', 'POST', '/Plains', {name: 'abcd'}],
  ['Plain', 'PATCH', '/Plains', {id: 1, name: 'ab'}],
  ['Lenient', 'PUT', '/Lenients', {id: 1, name: 'xy'}],
];

const server = app.listen(4160, '127.0.0.1', async () => {
  const out = [];
  for (const [m, method, path, body] of cases) {
    const res = await fetch('http://127.0.0.1:4160/api' + path, {method, headers: {'content-type': 'application/json'}, body: JSON.stringify(body)});
    const text = await res.text();
    out.push({method, path, body, status: res.status, response: text ? JSON.parse(text) : null});
  }
  // Python-API equivalents: isValid
  const Member = app.models.Member;
  const inst = new Member({name: 'n'});
  await new Promise(r => inst.isValid(valid => { out.push({isValid: {name: 'n'}, valid, codes: inst.errors.codes, messages: Object.assign({}, inst.errors)}); r(); }));
  console.log(JSON.stringify(out, null, 1));
  server.close();
});
