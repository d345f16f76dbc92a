module.exports = (msg) => `[${new Date().toISOString()}] ${msg}`;
