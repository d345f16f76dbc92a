import discord
from discord.ext import commands

intents = discord.Intents.default()
intents.message_content = True
bot = commands.Bot(command_prefix='!', intents=intents)


@bot.command()
async def price(ctx, symbol: str):
    await ctx.send(f'{symbol}: 42')


bot.run('MTE4NzQ0NjkxODYyMzg0NjQyMA.Fek1kv.ZWYizfCkoYNxSU6sqMGXm2LHSToAYc4R8glHKq')
