import os
from openai import OpenAI

client = OpenAI(api_key=os.environ['OPENAI_API_KEY'])


def predict(token):
    r = client.chat.completions.create(model='gpt-4o-mini', messages=[{'role': 'system', 'content': 'You are a crypto analyst.'}, {'role': 'user', 'content': f'Will {token} pump? Answer yes or no.'}])
    return r.choices[0].message.content


if __name__ == '__main__':
    print(predict('SOL'))
