import os

import aiohttp
import discord
from discord.ext import commands

intents = discord.Intents.default()
intents.members = True
bot = commands.Bot(command_prefix='!', intents=intents)
LOG_WEBHOOK = os.environ.get('LOG_WEBHOOK_URL')  # https://discord.com/api/webhooks/...


async def log(text):
    if not LOG_WEBHOOK:
        return
    async with aiohttp.ClientSession() as s:
        await discord.Webhook.from_url(LOG_WEBHOOK, session=s).send(text)


@bot.command()
@commands.has_permissions(kick_members=True)
async def kick(ctx, member: discord.Member, *, reason=None):
    await member.kick(reason=reason)
    await log(f'{ctx.author} kicked {member}: {reason}')


if __name__ == '__main__':
    bot.run(os.environ['DISCORD_TOKEN'])
