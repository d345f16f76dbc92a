import os
from openai import OpenAI

client = OpenAI(api_key=os.environ.get('OPENAI_API_KEY'))


def answer(question, pages):
    context = '\n\n'.join(pages)
    r = client.chat.completions.create(model='gpt-4o', messages=[{'role': 'system', 'content': 'Answer from the context; cite page titles.'}, {'role': 'user', 'content': f'{context}\n\nQ: {question}'}])
    return r.choices[0].message.content
