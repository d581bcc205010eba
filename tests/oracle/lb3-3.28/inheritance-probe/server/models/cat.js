module.exports = function(Cat) {
  Cat.speak = function(cb) { cb(null, 'meow'); };
};
