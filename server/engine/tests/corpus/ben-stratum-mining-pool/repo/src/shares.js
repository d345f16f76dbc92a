exports.validateShare = (p) => typeof p.nonce === 'string' && p.nonce.length === 8;
