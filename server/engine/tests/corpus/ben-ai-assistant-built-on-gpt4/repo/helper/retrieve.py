def retrieve(question, index, k=4):
    words = set(question.lower().split())
    return sorted(index, key=lambda p: -len(words & set(p.lower().split())))[:k]
