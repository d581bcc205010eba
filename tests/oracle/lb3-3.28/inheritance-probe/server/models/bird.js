const log = global.LOG;
module.exports = function(Bird) {
  Bird.sing = function(cb) { cb(null, 'tweet'); };
  Bird.beforeRemote('sing', function(ctx, _, next) { log.push('Bird.beforeRemote sing ' + ctx.method.stringName); next(); });
  Bird.observe('before save', function(ctx, next) { log.push('Bird.observe before save Model=' + ctx.Model.modelName); next(); });
};
