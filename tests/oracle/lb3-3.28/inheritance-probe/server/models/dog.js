const log = global.LOG;
module.exports = function(Dog) {
  Dog.bark = function(cb) { cb(null, 'woof'); };
  Dog.beforeRemote('speak', function(ctx, _, next) { log.push('Dog.beforeRemote speak ' + ctx.method.stringName); next(); });
  Dog.observe('before save', function(ctx, next) { log.push('Dog.observe before save Model=' + ctx.Model.modelName); next(); });
};
