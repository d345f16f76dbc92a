require('./lib/analytics');
console.log('marketplace demo running on :3000');
