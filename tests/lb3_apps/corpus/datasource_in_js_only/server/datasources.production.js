module.exports = {pg: {connector: 'postgresql', url: process.env.PG_URL}};
