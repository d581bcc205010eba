const log = global.LOG;
module.exports = function(app) {
  const Animal = app.registry.getModel('Animal');
  Animal.late = function(cb) { cb(null, 'late from ' + this.modelName); };
  Animal.observe('after save', function(ctx, next) { log.push('Animal.observe after save (boot) Model=' + ctx.Model.modelName); next(); });
  Animal.beforeRemote('find', function(ctx, _, next) { log.push('Animal.beforeRemote find (boot) ' + ctx.method.stringName); next(); });
  Animal.prototype.lateProto = function() {};
};
