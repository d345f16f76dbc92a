module.exports = { extends: ['prettier'] };
