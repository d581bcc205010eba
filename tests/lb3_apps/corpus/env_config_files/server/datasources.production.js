module.exports = {db: {connector: 'postgresql', url: process.env.DATABASE_URL}};
