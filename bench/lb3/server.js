'use strict';
/*
 * The real LoopBack 3 serving the same model JSON as our generated app, for side-by-side benchmarks.
 *
 * loopback-boot reads config.json, datasources.json and model-config.json from the app directory
 * (specs/coffee-shop, or LB3_APP_DIR) and the model definitions from modelSources, exactly as a
 * scaffolded LB3 app would. Differences from a scaffolded app, all on purpose:
 *   - no middleware.json: only the REST router is mounted (no static files, no explorer, no logging);
 *   - auth is never enabled (no app.enableAuth()), so the models' ACLs are loaded but never checked and
 *     the benchmark can create Reviews anonymously, as our server does today;
 *   - the data source is whatever datasources.json says (the memory connector), unless LB3_DB_URL names
 *     a PostgreSQL database: then loopback-connector-postgresql, with its tables made by automigrate
 *     (skipped with LB3_MIGRATE=0: a restart on seeded tables) and a pool of LB3_DB_POOL (10).
 * GET /__bench/statements answers how many statements the data source has run so far (see countStatements),
 * so the benchmark can count the statements of one request by difference; it is outside /api.
 * Run it with NODE_PATH pointing at an install (npm install --prefix DIR loopback@3.28 loopback-boot@3)
 * and PORT set; it prints "listening" on stdout once it accepts connections.
 */
const path = require('path');
const loopback = require('loopback');
const boot = require('loopback-boot');

const appDir = path.resolve(process.env.LB3_APP_DIR || path.join(__dirname, '..', '..', 'specs', 'coffee-shop'));
const loopbackDir = path.dirname(require.resolve('loopback/package.json'));
const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || '127.0.0.1';

const app = loopback();
const dbUrl = process.env.LB3_DB_URL;
boot(app, {
  appRootDir: appDir,
  // max: the pg pool's size (pg's default is 10, as ours); the benchmark seeds through a pool of one
  // so that the rows of an array create, which the juggler inserts concurrently, get ids in order
  dataSources: dbUrl ? {db: {name: 'db', connector: 'postgresql', url: dbUrl, max: Number(process.env.LB3_DB_POOL || 10)}} : undefined,
  // absolute paths: module-relative sources such as "loopback/common/models" would be looked up from
  // the app directory, which has no node_modules
  modelSources: [path.join(loopbackDir, 'common', 'models'), path.join(appDir, 'models')],
  mixinDirs: [],
}, function booted(err) {
  if (err) throw err;
  countStatements(app.dataSources.db.connector);
  if (dbUrl && process.env.LB3_MIGRATE !== '0') {
    app.dataSources.db.automigrate(function migrated(migrateErr) {
      if (migrateErr) throw migrateErr;
      listen();
    });
  } else {
    listen();
  }
});

const statements = {count: 0, kind: 'sql'};

/*
 * Count what one request asks of the database: on a SQL connector every statement goes through
 * executeSQL (SQLConnector.execute calls this.executeSQL), so wrapping it on the instance counts them
 * all; the memory connector runs no SQL, so there the count is of its CRUD calls (all, count, create,
 * ...), one per query the juggler makes. A counter increment per call: no effect on the figures.
 */
function countStatements(connector) {
  const wrap = function wrap(name) {
    const original = connector[name];
    if (typeof original !== 'function') return;
    const counted = function counted() {
      statements.count += 1;
      return original.apply(this, arguments);
    };
    // the juggler reads a connector method's arity to decide whether it takes options
    Object.defineProperty(counted, 'length', {value: original.length});
    connector[name] = counted;
  };
  if (typeof connector.executeSQL === 'function') {
    wrap('executeSQL');
  } else {
    statements.kind = 'connector calls';
    ['all', 'count', 'create', 'updateOrCreate', 'upsertWithWhere', 'findOrCreate', 'save', 'exists',
      'find', 'destroy', 'destroyAll', 'update', 'updateAll', 'updateAttributes', 'replaceById',
      'replaceOrCreate'].forEach(wrap);
  }
}

app.get('/__bench/statements', function statementCount(req, res) {
  res.json(statements);
});

app.use(app.get('restApiRoot') || '/api', loopback.rest());

// remoting.rest.handleErrors is false in config.json, so errors reach express: answer them in LB3's
// JSON error shape instead of express's HTML page (the benchmark only checks status codes)
app.use(function errorHandler(err, req, res, next) {
  const status = err.statusCode || err.status || 500;
  res.status(status).json({error: {statusCode: status, name: err.name, message: err.message}});
});

function listen() {
  app.listen(port, host, function onListen() {
    process.stdout.write(`listening http://${host}:${port}\n`);
  });
}

