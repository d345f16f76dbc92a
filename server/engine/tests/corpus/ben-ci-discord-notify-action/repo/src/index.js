const core = require('@actions/core');
const github = require('@actions/github');

async function run() {
  const webhook = core.getInput('webhook', { required: true });
  const release = github.context.payload.release;
  const body = { content: `**${release.name}** released\n${release.html_url}`, username: 'release-notify' };
  const r = await fetch(webhook, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!r.ok) core.setFailed(`Discord answered ${r.status}`);
}

run();
