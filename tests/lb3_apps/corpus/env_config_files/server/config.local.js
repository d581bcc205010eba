var p = require('../package.json');
module.exports = {version: p.version};
