// Registers the bot's /scan slash command with Discord (once, or after changing it).
//
//   DISCORD_APPLICATION_ID=… DISCORD_BOT_TOKEN=… node register-commands.mjs [guild_id]
//
// With a guild id the command appears in that server at once; without, globally (Discord may
// take a while to show global commands).
import { SCAN_COMMAND } from "./bot.mjs";

const app = process.env.DISCORD_APPLICATION_ID;
const token = process.env.DISCORD_BOT_TOKEN;
const base = (process.env.DISCORD_API_BASE ?? "https://discord.com/api/v10").replace(/\/+$/, "");
if (!app || !token) {
  console.error("set DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN");
  process.exit(2);
}
const guild = process.argv[2];
const url = guild ? `${base}/applications/${app}/guilds/${guild}/commands` : `${base}/applications/${app}/commands`;
const res = await fetch(url, {
  method: "PUT",
  headers: { authorization: `Bot ${token}`, "content-type": "application/json" },
  body: JSON.stringify([SCAN_COMMAND]),
});
console.log(res.status, await res.text());
process.exit(res.ok ? 0 : 1);
