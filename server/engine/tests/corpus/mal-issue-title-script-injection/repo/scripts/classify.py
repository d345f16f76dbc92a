"""Label suggestions for new issues."""

KEYWORDS = {"bug": ("crash", "error", "bug"), "docs": ("typo", "readme", "docs")}


def suggest(title: str) -> list[str]:
    t = title.lower()
    return [label for label, words in KEYWORDS.items() if any(w in t for w in words)]
