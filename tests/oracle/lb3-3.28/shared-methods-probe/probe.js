// LB3 3.28: config.json remoting.sharedMethods combined with model-config options.remoting.sharedMethods.
// npm install loopback@3 loopback-boot@3; NODE_PATH=.../node_modules node probe.js > ../shared-methods.json
const loopback = require('loopback');
const boot = require('loopback-boot');
const app = loopback();
boot(app, __dirname + '/server', function(err) {
  if (err) throw err;
  const out = {};
  for (const m of ['Shop', 'Kiosk'])
    out[m] = app.models[m].sharedClass.methods().map(x => (x.isStatic ? '' : 'prototype.') + x.name).sort();
  console.log(JSON.stringify(out, null, 1));
});
