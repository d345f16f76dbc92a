import bot
