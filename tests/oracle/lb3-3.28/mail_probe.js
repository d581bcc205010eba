// LB3 3.28 probe (ours): verify, confirm, resetPassword over HTTP, mail through a local SMTP server on
// 127.0.0.1:20625. Run beside `npm install loopback@3 strong-error-handler`:
//   node mail_probe.js '{"member": {<Member settings>}, "steps": [[name, verb, path, body?], ...]}'
// `{vtoken}` in a path is the user's current verificationToken. Prints every answer as JSON.
const loopback = require('loopback');
const http = require('http');
const settings = JSON.parse(process.argv[2] || '{}');
const app = loopback();
app.set('host', 'localhost'); app.set('port', 3000); app.set('restApiRoot', '/api');
const db = loopback.createDataSource({connector: 'memory'});
const mail = loopback.createDataSource({connector: loopback.Mail, transports: [{type: 'smtp', host: '127.0.0.1', port: 20625, ignoreTLS: true, secure: false}]});
const Member = app.registry.createModel(Object.assign({name: 'Member', base: 'User'}, settings.member || {}));
if (!settings.noEmail) app.model(app.registry.getModel('Email'), {dataSource: mail});
app.model(app.registry.getModel('AccessToken'), {dataSource: db});
for (const n of ['ACL', 'Role', 'RoleMapping']) app.model(app.registry.getModel(n), {dataSource: db});
app.model(Member, {dataSource: db});
app.registry.getModel('AccessToken').belongsTo(Member, {as: 'user', foreignKey: 'userId'});
const events = [];
Member.on('resetPasswordRequest', info => {
  events.push({keys: Object.keys(info).sort(), email: info.email,
    token: info.accessToken.toJSON(), tokenKeys: Object.keys(info.accessToken.toJSON()).sort(),
    user: info.user.toJSON(), options: info.options});
});
app.enableAuth();
app.use(loopback.token());
app.use('/api', loopback.rest());
app.use(require('strong-error-handler')({debug: false, log: false}));
function req(method, path, body, headers) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const r = http.request({host: '127.0.0.1', port: server.address().port, method, path,
      headers: Object.assign({'content-type': 'application/json'}, headers || {})}, res => {
      let b = ''; res.on('data', c => b += c); res.on('end', () => {
        let parsed = b; try { parsed = JSON.parse(b); } catch (e) {}
        resolve({status: res.statusCode, location: res.headers.location, body: parsed});
      });
    });
    r.on('error', reject); if (data) r.write(data); r.end();
  });
}
const server = app.listen(0, async () => {
  const out = {};
  const steps = settings.steps || [];
  const u = await Member.create({email: 'ann@example.com', password: 'secret'});
  out.created = u.toJSON();
  for (const [name, method, path, body] of steps) {
    let p = path.replace('{token}', () => (Member._lastToken || ''));
    if (p.includes('{vtoken}')) { const m = await Member.findById(1); p = p.replace('{vtoken}', m && m.verificationToken); }
    out[name] = await req(method, p, body);
    await new Promise(r => setTimeout(r, 300));
  }
  out.events = events;
  out.after = (await Member.findById(1)).toObject();
  console.log(JSON.stringify(out, null, 1));
  server.close(); process.exit(0);
});
