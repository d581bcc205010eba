const log = global.LOG;
module.exports = function(Animal) {
  Animal.speak = function(cb) { cb(null, 'generic from ' + this.modelName); };
  Animal.prototype.describe = function(cb) { cb(null, this.constructor.modelName + ' ' + this.name); };
  Animal.remoteMethod('jsOnly', {returns: {arg: 'x', type: 'string'}, http: {verb: 'get'}});
  Animal.jsOnly = function(cb) { cb(null, 'jsOnly from ' + this.modelName); };
  Animal.beforeRemote('**', function(ctx, _, next) { log.push('Animal.beforeRemote ** ' + ctx.method.stringName); next(); });
  Animal.beforeRemote('speak', function(ctx, _, next) { log.push('Animal.beforeRemote speak ' + ctx.method.stringName); next(); });
  Animal.afterRemote('create', function(ctx, _, next) { log.push('Animal.afterRemote create ' + ctx.method.stringName); next(); });
  Animal.observe('before save', function(ctx, next) { log.push('Animal.observe before save (module) Model=' + ctx.Model.modelName); next(); });
  Animal.observe('access', function(ctx, next) { log.push('Animal.observe access (module) Model=' + ctx.Model.modelName); next(); });
  Animal.validatesLengthOf('name', {min: 2});
};
