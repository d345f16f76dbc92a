from openai import OpenAI
client = OpenAI()

def sentiment(text):
    return client.chat.completions.create(model='gpt-4o-mini', messages=[{'role': 'user', 'content': text}]).choices[0].message.content
